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

    /**
     * Exportable state of a scaler, for checkpoints.
     *
     * @param count rows seen, >= 0
     * @param mean  per-feature running mean
     * @param m2    per-feature sum of squared deviations from the mean
     */
    public record State(long count, double[] mean, double[] m2) {
        /** Validates the fields and copies the arrays. */
        public State {
            checkState(count, "mean", mean == null ? -1 : mean.length, "m2", m2 == null ? -1 : m2.length);
            mean = mean.clone();
            m2 = m2.clone();
        }

        /** A copy of the means. */
        @Override
        public double[] mean() {
            return mean.clone();
        }

        /** A copy of the sums of squared deviations. */
        @Override
        public double[] m2() {
            return m2.clone();
        }
    }

    /** @param features number of features, >= 1 */
    public StandardScaler(int features) {
        super(features);
        this.mean = new double[features];
        this.m2 = new double[features];
    }

    /** A scaler continuing from exported state. */
    public static StandardScaler restore(State state) {
        StandardScaler scaler = new StandardScaler(state.mean().length);
        scaler.count = state.count();
        System.arraycopy(state.mean(), 0, scaler.mean, 0, scaler.features);
        System.arraycopy(state.m2(), 0, scaler.m2, 0, scaler.features);
        return scaler;
    }

    /** The state, for a checkpoint. */
    public State export() {
        return new State(count, mean, m2);
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
