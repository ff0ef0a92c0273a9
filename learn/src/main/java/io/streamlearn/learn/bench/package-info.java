/**
 * The engine benchmark ({@code ./streamlearn bench engine}): trains and serves on Fashion-MNIST and
 * prints our figures next to a PyTorch reference run in the same invocation.
 */
package io.streamlearn.learn.bench;
