package io.streamlearn.learn;

import java.util.Arrays;

/**
 * A frozen per-feature affine scaler, {@code x' = (x - offset) * scale}, published with every model
 * version so inference transforms its inputs exactly as training did.
 *
 * @param offset per-feature value subtracted first; finite
 * @param scale  per-feature multiplier applied next; finite; same length as {@code offset}
 */
public record Preprocessor(float[] offset, float[] scale) {

    /** Validates the fields and copies the arrays. */
    public Preprocessor {
        if (offset == null || scale == null) {
            throw new IllegalArgumentException("offset and scale must not be null, got offset=" + offset + " scale=" + scale);
        }
        if (offset.length != scale.length || offset.length == 0) {
            throw new IllegalArgumentException("offset and scale must have the same non-zero length, got "
                    + offset.length + " and " + scale.length);
        }
        for (int i = 0; i < offset.length; i++) {
            if (!Float.isFinite(offset[i])) {
                throw new IllegalArgumentException("offset[" + i + "] must be finite, got " + offset[i]);
            }
            if (!Float.isFinite(scale[i])) {
                throw new IllegalArgumentException("scale[" + i + "] must be finite, got " + scale[i]);
            }
        }
        offset = offset.clone();
        scale = scale.clone();
    }

    /** The identity transform on {@code features} features. */
    public static Preprocessor identity(int features) {
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        float[] ones = new float[features];
        Arrays.fill(ones, 1f);
        return new Preprocessor(new float[features], ones);
    }

    /** Number of features. */
    public int features() {
        return offset.length;
    }

    /** True if every offset is 0 and every scale 1. */
    public boolean isIdentity() {
        for (int i = 0; i < offset.length; i++) {
            if (offset[i] != 0f || scale[i] != 1f) {
                return false;
            }
        }
        return true;
    }

    /** A copy of the offsets. */
    @Override
    public float[] offset() {
        return offset.clone();
    }

    /** A copy of the scales. */
    @Override
    public float[] scale() {
        return scale.clone();
    }

    /**
     * Transforms {@code rows} rows of {@code src} (row-major, {@link #features()} per row) into
     * {@code dest}; {@code src} and {@code dest} may be the same array.
     */
    public void apply(float[] src, float[] dest, int rows) {
        int n = offset.length;
        if (src.length < rows * n || dest.length < rows * n) {
            throw new IllegalArgumentException("need " + rows * n + " values for " + rows + " rows of " + n
                    + " features, got src " + src.length + " dest " + dest.length);
        }
        for (int r = 0, base = 0; r < rows; r++, base += n) {
            for (int j = 0; j < n; j++) {
                dest[base + j] = (src[base + j] - offset[j]) * scale[j];
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessor p && Arrays.equals(offset, p.offset) && Arrays.equals(scale, p.scale);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(offset) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "Preprocessor[features=" + offset.length + (isIdentity() ? ", identity" : "") + "]";
    }
}
