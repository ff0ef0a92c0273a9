package io.streamlearn.learn.scale;

import io.streamlearn.learn.Preprocessor;

/**
 * Streaming min-max scaling {@code (x - min) / (max - min)} per feature, to [0, 1] over the values
 * seen so far. A feature with no range yet is only shifted.
 */
public final class MinMaxScaler implements OnlineScaler {

    private final int features;
    private long count;
    private final float[] min;
    private final float[] max;

    /**
     * Exportable state of a scaler, for checkpoints.
     *
     * @param count rows seen
     * @param min   per-feature minimum
     * @param max   per-feature maximum
     */
    public record State(long count, float[] min, float[] max) {
        /** Validates the fields and copies the arrays. */
        public State {
            if (count < 0) {
                throw new IllegalArgumentException("count must be >= 0, got " + count);
            }
            if (min == null || max == null || min.length != max.length || min.length == 0) {
                throw new IllegalArgumentException("min and max must have the same non-zero length, got "
                        + (min == null ? "null" : min.length) + " and " + (max == null ? "null" : max.length));
            }
            min = min.clone();
            max = max.clone();
        }

        /** A copy of the minima. */
        @Override
        public float[] min() {
            return min.clone();
        }

        /** A copy of the maxima. */
        @Override
        public float[] max() {
            return max.clone();
        }
    }

    /** @param features number of features, >= 1 */
    public MinMaxScaler(int features) {
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        this.features = features;
        this.min = new float[features];
        this.max = new float[features];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
    }

    /** A scaler continuing from exported state. */
    public static MinMaxScaler restore(State state) {
        MinMaxScaler scaler = new MinMaxScaler(state.min().length);
        scaler.count = state.count();
        System.arraycopy(state.min(), 0, scaler.min, 0, scaler.features);
        System.arraycopy(state.max(), 0, scaler.max, 0, scaler.features);
        return scaler;
    }

    /** The state, for a checkpoint. */
    public State export() {
        return new State(count, min, max);
    }

    @Override
    public int features() {
        return features;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public void update(float[] x, int rows) {
        if (rows < 0 || x == null || x.length < rows * features) {
            throw new IllegalArgumentException("x must hold rows*features = " + rows * features + " values, got "
                    + (x == null ? "null" : x.length));
        }
        for (int r = 0, base = 0; r < rows; r++, base += features) {
            for (int j = 0; j < features; j++) {
                float v = x[base + j];
                if (v < min[j]) {
                    min[j] = v;
                }
                if (v > max[j]) {
                    max[j] = v;
                }
            }
        }
        count += rows;
    }

    @Override
    public void transform(float[] x, int rows) {
        freeze().apply(x, x, rows);
    }

    @Override
    public Preprocessor freeze() {
        float[] offset = new float[features];
        float[] scale = new float[features];
        for (int j = 0; j < features; j++) {
            if (count == 0) {
                scale[j] = 1f;
                continue;
            }
            offset[j] = min[j];
            float range = max[j] - min[j];
            scale[j] = range > 0f && Float.isFinite(1f / range) ? 1f / range : 1f;
        }
        return new Preprocessor(offset, scale);
    }
}
