package io.streamlearn.learn.scale;

import io.streamlearn.tensor.Preprocessing;

/**
 * A per-feature scaler whose statistics are updated from the stream, and the skeleton both scalers
 * share: the row loop of {@link #update}, the input checks, and freezing into a {@link
 * Preprocessing}. A subclass keeps two per-feature statistics (float or double, whatever its maths
 * needs) and says how one row changes them and what offset and scale they give.
 */
public abstract sealed class OnlineScaler permits StandardScaler, MinMaxScaler {

    /** Number of features, >= 1. */
    final int features;
    /** Rows seen. */
    long count;

    /** @param features number of features, >= 1 */
    OnlineScaler(int features) {
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        this.features = features;
    }

    /** The {@link Preprocessing#kind()} this scaler freezes into ({@code standard}, {@code minmax}). */
    public abstract String kind();

    /** Number of features. */
    public final int features() {
        return features;
    }

    /** Rows seen. */
    public final long count() {
        return count;
    }

    /** Updates the statistics with {@code rows} rows of {@code x} (row-major). */
    public final void update(float[] x, int rows) {
        if (rows < 0 || x == null || x.length < rows * features) {
            throw new IllegalArgumentException("x must hold rows*features = " + rows * features + " values, got "
                    + (x == null ? "null" : x.length));
        }
        for (int r = 0, base = 0; r < rows; r++, base += features) {
            count++;
            observe(x, base);
        }
    }

    /** Scales {@code rows} rows of {@code x} in place with the current statistics. */
    public final void transform(float[] x, int rows) {
        freeze().apply(x, rows);
    }

    /**
     * The current statistics as immutable preprocessing: identity before the first row, and
     * whenever the statistics would change nothing.
     */
    public final Preprocessing freeze() {
        if (count == 0) {
            return Preprocessing.identity();
        }
        float[] offset = new float[features];
        float[] scale = new float[features];
        for (int j = 0; j < features; j++) {
            offset[j] = offset(j);
            scale[j] = scale(j);
        }
        return Preprocessing.scaling(kind(), offset, scale);
    }

    /** Folds the row starting at {@code x[base]} into the statistics; {@link #count} already counts it. */
    abstract void observe(float[] x, int base);

    /** The frozen offset of {@code feature}; only called after at least one row. */
    abstract float offset(int feature);

    /** The frozen scale of {@code feature}; only called after at least one row. */
    abstract float scale(int feature);

    /**
     * Validates the fields of an exported state: a count >= 0 and two statistics of the same,
     * non-zero length ({@code -1} standing for a missing array).
     */
    static void checkState(long count, String first, int firstLength, String second, int secondLength) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (firstLength < 1 || firstLength != secondLength) {
            throw new IllegalArgumentException(first + " and " + second + " must have the same non-zero length, got "
                    + (firstLength < 0 ? "null" : firstLength) + " and " + (secondLength < 0 ? "null" : secondLength));
        }
    }
}
