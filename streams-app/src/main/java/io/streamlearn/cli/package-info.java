/**
 * The {@code streamlearn} command line: {@code demo}, {@code train}, {@code serve}, {@code bench},
 * {@code registry} (the registry's REST API) and {@code models} (the registry from the shell). Each command takes flags, environment variables and a properties file, lists
 * its options with {@code --help}, and fails fast naming an unknown or invalid key.
 */
package io.streamlearn.cli;
