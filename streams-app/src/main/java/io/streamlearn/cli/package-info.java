/**
 * The {@code streamlearn} command line: {@code demo}, {@code train}, {@code serve},
 * {@code bench}, {@code dashboard}, {@code produce} and {@code tail} (the last three each in
 * their own class, with their own configuration table). Each command takes flags, environment variables and a properties file, lists
 * its options with {@code --help}, and fails fast naming an unknown or invalid key.
 */
package io.streamlearn.cli;
