package io.streamlearn.learn.scale;

import io.streamlearn.learn.Preprocessor;

/**
 * Streaming standardisation {@code (x - mean) / std} per feature, with Welford's numerically stable
 * running mean and variance (population variance). A feature whose standard deviation is below
 * {@link #MIN_STD} (constant so far) is only centred.
 */
public final class StandardScaler implements OnlineScaler {

    /** Standard deviations below this are treated as zero (scale 1). */
    public static final double MIN_STD = 1e-6;

    private final int features;
    private long count;
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
            if (count < 0) {
                throw new IllegalArgumentException("count must be >= 0, got " + count);
            }
            if (mean == null || m2 == null || mean.length != m2.length || mean.length == 0) {
                throw new IllegalArgumentException("mean and m2 must have the same non-zero length, got "
                        + (mean == null ? "null" : mean.length) + " and " + (m2 == null ? "null" : m2.length));
            }
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
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        this.features = features;
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
    public int features() {
        return features;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public void update(float[] x, int rows) {
        check(x, rows);
        for (int r = 0, base = 0; r < rows; r++, base += features) {
            count++;
            for (int j = 0; j < features; j++) {
                double v = x[base + j];
                double d = v - mean[j];
                mean[j] += d / count;
                m2[j] += d * (v - mean[j]);
            }
        }
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
    public void transform(float[] x, int rows) {
        Preprocessor p = freeze();
        p.apply(x, x, rows);
    }

    @Override
    public Preprocessor freeze() {
        float[] offset = new float[features];
        float[] scale = new float[features];
        for (int j = 0; j < features; j++) {
            offset[j] = (float) mean[j];
            double std = Math.sqrt(variance(j));
            scale[j] = std < MIN_STD ? 1f : (float) (1.0 / std);
        }
        return new Preprocessor(offset, scale);
    }

    private void check(float[] x, int rows) {
        if (rows < 0 || x == null || x.length < rows * features) {
            throw new IllegalArgumentException("x must hold rows*features = " + rows * features + " values, got "
                    + (x == null ? "null" : x.length));
        }
    }
}
