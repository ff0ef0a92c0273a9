package io.streamlearn.learn.scale;

import io.streamlearn.learn.Preprocessor;

/** A per-feature scaler whose statistics are updated from the stream. */
public interface OnlineScaler {

    /** Number of features. */
    int features();

    /** Rows seen. */
    long count();

    /** Updates the statistics with {@code rows} rows of {@code x} (row-major). */
    void update(float[] x, int rows);

    /** Scales {@code rows} rows of {@code x} in place with the current statistics. */
    void transform(float[] x, int rows);

    /** The current statistics as an immutable preprocessor. */
    Preprocessor freeze();
}
