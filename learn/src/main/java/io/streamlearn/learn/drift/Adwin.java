package io.streamlearn.learn.drift;

import java.util.Arrays;

/**
 * ADWIN (ADaptive WINdowing, Bifet and Gavaldà 2007): keeps a window of recent values compressed
 * into an exponential histogram of buckets and drops its oldest part whenever two sub-windows have
 * means that differ by more than the Hoeffding-style bound for confidence {@code delta}; a drop is
 * a detected drift. Memory and time per value are logarithmic in the window length. Cuts are
 * checked every {@link #CLOCK} values, as in the reference implementation.
 */
public final class Adwin implements DriftDetector {

  /** Buckets of each size kept before two are merged. */
  static final int MAX_BUCKETS = 5;
  /** Values between two checks for a cut. */
  static final int CLOCK = 32;
  /** Minimum length of each sub-window compared. */
  static final int MIN_SUB_WINDOW = 5;

  private final double delta;
  /*
   * The buckets, oldest first, as a ring of parallel arrays: count, sum and sum of squared
   * deviations of each. Sizes are powers of two, non-increasing from oldest to newest.
   */
  private long[] n = new long[64];
  private double[] sum = new double[64];
  private double[] m2 = new double[64];
  private int head;
  private int size;
  /** Buckets of size 2^level, per level. */
  private final int[] perLevel = new int[64];
  private long width;
  private double total;
  private double variance;
  private long ticks;
  private long detections;

  /** @param delta confidence of a detection, in (0, 1); smaller means fewer false alarms (0.002 is usual) */
  public Adwin(double delta) {
    if (!(delta > 0.0 && delta < 1.0)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
    this.delta = delta;
  }

  /** ADWIN with the usual confidence 0.002. */
  public Adwin() {
    this(0.002);
  }

  @Override
  public boolean update(double error) {
    if (!Double.isFinite(error)) {
      throw new IllegalArgumentException("error must be finite, got " + error);
    }
    insert(error);
    compress();
    ticks++;
    if (ticks % CLOCK != 0 || width < 2L * MIN_SUB_WINDOW) {
      return false;
    }
    boolean cut = false;
    while (shouldCut()) {
      removeOldest();
      cut = true;
    }
    if (cut) {
      detections++;
    }
    return cut;
  }

  /** The ring index of the {@code i}-th bucket, oldest first. */
  private int at(int i) {
    return (head + i) & (n.length - 1);
  }

  private void insert(double value) {
    if (width > 0) {
      double mean = total / width;
      variance += (double) width / (width + 1) * (value - mean) * (value - mean);
    }
    width++;
    total += value;
    if (size == n.length) {
      grow();
    }
    int k = at(size++);
    n[k] = 1;
    sum[k] = value;
    m2[k] = 0.0;
    perLevel[0]++;
  }

  private void grow() {
    long[] n2 = new long[n.length * 2];
    double[] sum2 = new double[n.length * 2];
    double[] m22 = new double[n.length * 2];
    for (int i = 0; i < size; i++) {
      int k = at(i);
      n2[i] = n[k];
      sum2[i] = sum[k];
      m22[i] = m2[k];
    }
    n = n2;
    sum = sum2;
    m2 = m22;
    head = 0;
  }

  /**
   * Merges the two oldest buckets of each size that has more than {@link #MAX_BUCKETS}, from the
   * smallest size up (a merge adds a bucket to the next size).
   */
  private void compress() {
    int newer = 0; // buckets of the levels below this one: they sit at the newest end
    for (int level = 0; perLevel[level] > MAX_BUCKETS; level++) {
      int older = size - newer - perLevel[level]; // the oldest bucket of this level
      int a = at(older);
      int b = at(older + 1);
      double d = sum[a] / n[a] - sum[b] / n[b];
      m2[a] = m2[a] + m2[b] + (double) n[a] * n[b] / (n[a] + n[b]) * d * d;
      sum[a] += sum[b];
      n[a] += n[b];
      for (int i = older + 1; i < size - 1; i++) { // close the gap at the newer end
        int to = at(i);
        int from = at(i + 1);
        n[to] = n[from];
        sum[to] = sum[from];
        m2[to] = m2[from];
      }
      size--;
      perLevel[level] -= 2;
      perLevel[level + 1]++;
      newer += perLevel[level];
    }
  }

  private boolean shouldCut() {
    if (size < 2) {
      return false;
    }
    double windowVariance = variance / width;
    double logTerm = Math.log(2.0 * Math.log(width) / delta);
    long n0 = 0;
    double s0 = 0;
    // the last bucket always stays in the newer sub-window
    for (int i = 0; i < size - 1; i++) {
      int k = at(i);
      n0 += n[k];
      s0 += sum[k];
      long n1 = width - n0;
      if (n0 < MIN_SUB_WINDOW || n1 < MIN_SUB_WINDOW) {
        continue;
      }
      double u0 = s0 / n0;
      double u1 = (total - s0) / n1;
      double m = 1.0 / (n0 - MIN_SUB_WINDOW + 1) + 1.0 / (n1 - MIN_SUB_WINDOW + 1);
      double epsilon = Math.sqrt(2.0 * m * windowVariance * logTerm) + 2.0 / 3.0 * logTerm * m;
      if (Math.abs(u0 - u1) > epsilon) {
        return true;
      }
    }
    return false;
  }

  private void removeOldest() {
    int k = head;
    long oldN = n[k];
    double oldSum = sum[k];
    double oldM2 = m2[k];
    head = at(1);
    size--;
    perLevel[Long.numberOfTrailingZeros(oldN)]--;
    long rest = width - oldN;
    if (rest == 0) {
      width = 0;
      total = 0;
      variance = 0;
      return;
    }
    double restMean = (total - oldSum) / rest;
    double d = oldSum / oldN - restMean;
    variance -= oldM2 + (double) oldN * rest / width * d * d;
    variance = Math.max(0.0, variance);
    width = rest;
    total -= oldSum;
  }

  @Override
  public void reset() {
    head = 0;
    size = 0;
    Arrays.fill(perLevel, 0);
    width = 0;
    total = 0;
    variance = 0;
    ticks = 0;
  }

  /** Number of values in the current window. */
  public long width() {
    return width;
  }

  /** Mean of the current window (0 when empty). */
  public double mean() {
    return width == 0 ? 0.0 : total / width;
  }

  /** Drifts detected since construction. */
  public long detections() {
    return detections;
  }
}
