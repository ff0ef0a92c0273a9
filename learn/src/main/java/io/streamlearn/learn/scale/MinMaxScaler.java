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

    /** @param features number of features, >= 1 */
    public MinMaxScaler(int features) {
        super(features);
        this.min = new float[features];
        this.max = new float[features];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
    }

    /** A scaler continuing from the exported state of a {@code minmax} scaler (see {@link #restore}). */
    MinMaxScaler(State state) {
        this(state.first().length);
        count = state.count();
        double[] first = state.first();
        double[] second = state.second();
        for (int j = 0; j < features; j++) {
            // exported from floats, so narrowing gives back the same values
            min[j] = (float) first[j];
            max[j] = (float) second[j];
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    double[] first() {
        return widen(min);
    }

    @Override
    double[] second() {
        return widen(max);
    }

    private static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
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
