package io.streamlearn.learn.drift;

/**
 * Page-Hinkley test for an increase in the mean of a stream: accumulates
 * {@code m_t = sum (x_i - mean_i - delta)} and signals drift when {@code m_t - min(m)} exceeds
 * {@code threshold}, after at least {@code minInstances} values. After a detection it resets itself.
 */
public final class PageHinkley implements DriftDetector {

  private final int minInstances;
  private final double delta;
  private final double threshold;
  private long count;
  private double mean;
  private double cumulative;
  private double minimum;

  /**
   * @param minInstances values to see before any detection, >= 1
   * @param delta        magnitude of change tolerated, >= 0
   * @param threshold    detection threshold (lambda), > 0
   */
  public PageHinkley(int minInstances, double delta, double threshold) {
    if (minInstances < 1) {
      throw new IllegalArgumentException("minInstances must be >= 1, got " + minInstances);
    }
    if (!(delta >= 0.0) || Double.isInfinite(delta)) {
      throw new IllegalArgumentException("delta must be a finite number >= 0, got " + delta);
    }
    if (!(threshold > 0.0) || Double.isInfinite(threshold)) {
      throw new IllegalArgumentException("threshold must be a finite number > 0, got " + threshold);
    }
    this.minInstances = minInstances;
    this.delta = delta;
    this.threshold = threshold;
    reset();
  }

  /** River's defaults: 30 instances, delta 0.005, threshold 50. */
  public PageHinkley() {
    this(30, 0.005, 50.0);
  }

  @Override
  public boolean update(double error) {
    if (!Double.isFinite(error)) {
      throw new IllegalArgumentException("error must be finite, got " + error);
    }
    count++;
    mean += (error - mean) / count;
    cumulative += error - mean - delta;
    minimum = Math.min(minimum, cumulative);
    if (count >= minInstances && cumulative - minimum > threshold) {
      reset();
      return true;
    }
    return false;
  }

  @Override
  public void reset() {
    count = 0;
    mean = 0;
    cumulative = 0;
    minimum = 0;
  }

  /** Values seen since the last reset. */
  public long count() {
    return count;
  }
}
