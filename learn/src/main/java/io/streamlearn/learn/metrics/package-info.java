/**
 * Streaming metrics for prequential (test-then-train) evaluation: means over the last N values
 * ({@link io.streamlearn.learn.metrics.WindowedMean}) and with a fading factor
 * ({@link io.streamlearn.learn.metrics.FadingMean}), a confusion matrix with per-class precision and
 * recall, and bundles for classification (accuracy, loss) and regression (MAE, RMSE) that keep the
 * cumulative, windowed and fading versions side by side. Not thread-safe.
 */
package io.streamlearn.learn.metrics;
