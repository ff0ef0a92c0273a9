/**
 * The trainer service: consumes labeled events, scores each batch before training on it
 * (test-then-train), trains the learning engine in mini-batches and publishes model versions to
 * the registry topic in Kafka transactions that also commit the consumed offsets, so each example
 * is trained on exactly once across restarts.
 */
package io.streamlearn.train;
