package io.streamlearn.learn.scale;

/**
 * Streaming standardisation {@code (x - mean) / std} per feature, with Welford's numerically stable
 * running mean and variance (population variance). A feature whose standard deviation is below
 * {@link #MIN_STD} (constant so far) is only centred.
 */
public final class StandardScaler extends OnlineScaler {

    /** The {@link #kind()}. */
    public static final String KIND = "standard";

    /** Standard deviations below this are treated as zero (scale 1). */
    public static final double MIN_STD = 1e-6;

    private final double[] mean;
    private final double[] m2;

    /** @param features number of features, >= 1 */
    public StandardScaler(int features) {
        super(features);
        this.mean = new double[features];
        this.m2 = new double[features];
    }

    /** A scaler continuing from the exported state of a {@code standard} scaler (see {@link #restore}). */
    StandardScaler(State state) {
        this(state.first().length);
        count = state.count();
        System.arraycopy(state.first(), 0, mean, 0, features);
        System.arraycopy(state.second(), 0, m2, 0, features);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Per-feature running mean. */
    public double mean(int feature) {
        return mean[feature];
    }

    /** Per-feature population variance (0 before two rows). */
    public double variance(int feature) {
        return count < 2 ? 0.0 : m2[feature] / count;
    }

    @Override
    double[] first() {
        return mean.clone();
    }

    @Override
    double[] second() {
        return m2.clone();
    }

    @Override
    void observe(float[] x, int base) {
        for (int j = 0; j < features; j++) {
            double v = x[base + j];
            double d = v - mean[j];
            mean[j] += d / count;
            m2[j] += d * (v - mean[j]);
        }
    }

    @Override
    float offset(int feature) {
        return (float) mean[feature];
    }

    @Override
    float scale(int feature) {
        double std = Math.sqrt(variance(feature));
        return std < MIN_STD ? 1f : (float) (1.0 / std);
    }
}
