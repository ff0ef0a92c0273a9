/**
 * Configuration of the apps: one {@link org.apache.kafka.common.config.ConfigDef} table per
 * command, composed from the shared key groups of {@link io.streamlearn.config.CommonKeys} (each
 * shared key declared there once) plus the command's own keys, every key with its type, default,
 * validator and documentation. Values come from command-line flags, environment variables
 * ({@code STREAMLEARN_...}) and a properties file, in that order of precedence; unknown and invalid
 * keys fail fast, naming the key, before anything touches Kafka. A validator that needs another
 * part's parser (the network, the optimizer, the registry's name rules) runs that parser ({@link
 * io.streamlearn.config.CommonKeys.ParsedBy}). Each {@code *Config} parses once and hands the rest
 * of its command a typed settings record ({@link io.streamlearn.config.KafkaSettings} and {@link
 * io.streamlearn.config.TopicSettings} are the shared parts).
 */
package io.streamlearn.config;
