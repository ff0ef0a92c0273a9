package io.streamlearn.learn.metrics;

/**
 * Mean of the last {@code window} values, in O(1) per value. The running sum is recomputed from the
 * ring buffer every {@code window} values so floating-point error cannot accumulate.
 */
public final class WindowedMean implements StreamingMean {

  private final double[] ring;
  private int next;
  private int size;
  private double sum;
  private long count;

  /** @param window number of most recent values averaged, >= 1 */
  public WindowedMean(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, got " + window);
    }
    ring = new double[window];
  }

  @Override
  public void add(double value) {
    if (size == ring.length) {
      sum -= ring[next];
    } else {
      size++;
    }
    ring[next] = value;
    sum += value;
    next = (next + 1) % ring.length;
    count++;
    if (next == 0) {
      double exact = 0;
      for (int i = 0; i < size; i++) {
        exact += ring[i];
      }
      sum = exact;
    }
  }

  @Override
  public double mean() {
    return size == 0 ? Double.NaN : sum / size;
  }

  /** Total values added (not only those in the window). */
  @Override
  public long count() {
    return count;
  }

  /** Values currently in the window. */
  public int size() {
    return size;
  }

  /** The window length. */
  public int window() {
    return ring.length;
  }

  @Override
  public void reset() {
    next = 0;
    size = 0;
    sum = 0;
    count = 0;
  }
}
