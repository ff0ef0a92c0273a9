/**
 * Streaming metrics for prequential (test-then-train) evaluation: means over the last N values
 * ({@link io.streamlearn.learn.metrics.WindowedMean}) and with a fading factor
 * ({@link io.streamlearn.learn.metrics.FadingMean}), which the trainer's prequential accuracy and
 * loss are kept with, and a {@link io.streamlearn.learn.metrics.ConfusionMatrix} with per-class
 * precision and recall, published with every model version for its hold-out set. Not thread-safe.
 */
package io.streamlearn.learn.metrics;
