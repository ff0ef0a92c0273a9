/**
 * Configuration of the apps: one {@link org.apache.kafka.common.config.ConfigDef} table per app,
 * every key declared once with its type, default, validator and documentation, filled from
 * command-line flags, environment variables ({@code STREAMLEARN_...}) and a properties file, in
 * that order of precedence. Unknown and invalid keys fail fast, naming the key.
 */
package io.streamlearn.config;
