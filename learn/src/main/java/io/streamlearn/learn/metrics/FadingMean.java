package io.streamlearn.learn.metrics;

/**
 * Mean with a fading factor (Gama et al. 2013): {@code S = alpha*S + x}, {@code N = alpha*N + 1},
 * mean {@code S/N}. Older values weigh {@code alpha^age}; {@code alpha = 1} is the plain running mean.
 */
public final class FadingMean implements StreamingMean {

  private final double alpha;
  private double weightedSum;
  private double weight;
  private long count;

  /** @param alpha fading factor in (0, 1], e.g. 0.999 */
  public FadingMean(double alpha) {
    if (!(alpha > 0.0 && alpha <= 1.0)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    }
    this.alpha = alpha;
  }

  @Override
  public void add(double value) {
    weightedSum = alpha * weightedSum + value;
    weight = alpha * weight + 1.0;
    count++;
  }

  @Override
  public double mean() {
    return count == 0 ? Double.NaN : weightedSum / weight;
  }

  @Override
  public long count() {
    return count;
  }

  /** The fading factor. */
  public double alpha() {
    return alpha;
  }

  @Override
  public void reset() {
    weightedSum = 0;
    weight = 0;
    count = 0;
  }
}
