/**
 * The benchmarks behind {@code ./streamlearn bench}: {@code engine} (the learning engine beside a
 * PyTorch reference run in the same invocation), {@code trainer}, {@code inference} and
 * {@code registry} (each on an embedded broker), and their tools: versions with random weights and
 * a publisher that moves an alias the way the trainer does, also used by the end-to-end tests.
 */
package io.streamlearn.bench;
