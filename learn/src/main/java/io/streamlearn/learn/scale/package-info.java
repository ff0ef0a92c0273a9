/**
 * Online input preprocessing: scalers that learn their statistics from the stream
 * ({@link io.streamlearn.learn.scale.StandardScaler}, Welford mean and variance;
 * {@link io.streamlearn.learn.scale.MinMaxScaler}) and are frozen into an immutable
 * {@link io.streamlearn.tensor.Preprocessing} for every published model version. Their state can be
 * exported and restored for trainer checkpoints. Not thread-safe.
 */
package io.streamlearn.learn.scale;
