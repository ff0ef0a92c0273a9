/**
 * The {@code streamlearn} command line: {@code demo}, {@code train}, {@code serve}, {@code bench},
 * {@code registry} (the registry's REST API), {@code models} (the registry from the shell),
 * {@code dashboard}, {@code produce} and {@code tail}, each but the first four in its own class
 * with its own configuration table. Each command takes flags, environment variables and a
 * properties file, lists
 * its options with {@code --help}, and fails fast naming an unknown or invalid key.
 */
package io.streamlearn.cli;
