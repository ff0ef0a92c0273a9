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

  /** @param features number of features, >= 1 */
  public StandardScaler(int features) {
    super(features);
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** Per-feature running mean. */
  public double mean(int feature) {
    return first[feature];
  }

  /** Per-feature population variance (0 before two rows). */
  public double variance(int feature) {
    return count < 2 ? 0.0 : second[feature] / count;
  }

  @Override
  void observe(float[] x, int base) {
    double[] mean = first;
    double[] m2 = second;
    for (int j = 0; j < features; j++) {
      double v = x[base + j];
      double d = v - mean[j];
      mean[j] += d / count;
      m2[j] += d * (v - mean[j]);
    }
  }

  @Override
  float offset(int feature) {
    return (float) first[feature];
  }

  @Override
  float scale(int feature) {
    double std = Math.sqrt(variance(feature));
    return std < MIN_STD ? 1f : (float) (1.0 / std);
  }
}
