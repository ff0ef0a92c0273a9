package io.streamlearn.learn.scale;

import java.util.Arrays;

/**
 * Streaming min-max scaling {@code (x - min) / (max - min)} per feature, to [0, 1] over the values
 * seen so far. A feature with no range yet is only shifted.
 */
public final class MinMaxScaler extends OnlineScaler {

    /** The {@link #kind()}. */
    public static final String KIND = "minmax";

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
            checkState(count, "min", min == null ? -1 : min.length, "max", max == null ? -1 : max.length);
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
        super(features);
        this.min = new float[features];
        this.max = new float[features];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
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
    public String kind() {
        return KIND;
    }

    @Override
    void observe(float[] x, int base) {
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

    @Override
    float offset(int feature) {
        return min[feature];
    }

    @Override
    float scale(int feature) {
        float range = max[feature] - min[feature];
        return range > 0f && Float.isFinite(1f / range) ? 1f / range : 1f;
    }
}
