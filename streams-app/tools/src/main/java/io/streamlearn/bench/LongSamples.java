package io.streamlearn.bench;

import java.util.Arrays;

/** A growable, thread-safe list of long samples with nearest-rank percentiles. */
final class LongSamples {
  private long[] values = new long[1024];
  private int size;

  synchronized void add(long v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  synchronized int size() {
    return size;
  }

  synchronized void clear() {
    size = 0;
  }

  /** The {@code q} quantile, -1 when empty. */
  synchronized long percentile(double q) {
    if (size == 0) {
      return -1;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * size) - 1;
    return sorted[Math.max(0, Math.min(size - 1, rank))];
  }
}
