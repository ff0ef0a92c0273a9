package io.streamlearn.serve;

import java.util.Arrays;

/**
 * The metrics of one inference instance, shared by its stream threads and exposed through JMX
 * ({@link InferenceMetricsMBean}) and the status line of {@code streamlearn serve}.
 *
 * <p>Recorded once per micro-batch, not per record, under one lock: at a few hundred batches per
 * second the lock is never contended enough to matter next to a forward pass.
 */
public final class InferenceMetrics implements InferenceMetricsMBean {
  private static final int LATENCY_SAMPLES = 8192;
  private static final int SWAP_SAMPLES = 1024;
  private static final int RATE_BUCKETS = 8;
  private static final int RATE_WINDOW_SECONDS = 5;

  private final ServedModel primary;
  private final ServedModel shadow;
  private final long[] latencies = new long[LATENCY_SAMPLES];
  private long latencyCount;
  private final long[] firstPrediction = new long[SWAP_SAMPLES];
  private long firstPredictionCount;
  private long lastFirstPrediction = -1;
  private final long[] bucketSecond = new long[RATE_BUCKETS];
  private final long[] bucketCount = new long[RATE_BUCKETS];
  private long predictions;
  private long shadowPredictions;
  private long batches;
  private long deadLetters;
  private ServedModel.Current lastPredicted;
  private long lastEmitNanos;
  private long maxGapNanos;

  /** Metrics over the primary and (nullable) shadow served models. */
  public InferenceMetrics(ServedModel primary, ServedModel shadow) {
    this.primary = primary;
    this.shadow = shadow;
  }

  /**
   * Records one forward pass of {@code rows} predictions made by {@code current}.
   *
   * @param latencyMicros the latency of each prediction (first {@code rows} values)
   */
  synchronized void recordBatch(ServedModel.Current current, int rows, long[] latencyMicros, long nowMillis,
                                long nowNanos) {
    for (int i = 0; i < rows; i++) {
      latencies[(int) (latencyCount++ % LATENCY_SAMPLES)] = latencyMicros[i];
    }
    predictions += rows;
    batches++;
    long second = nowMillis / 1000;
    int b = (int) (second % RATE_BUCKETS);
    if (bucketSecond[b] != second) {
      bucketSecond[b] = second;
      bucketCount[b] = 0;
    }
    bucketCount[b] += rows;
    if (lastEmitNanos != 0) {
      maxGapNanos = Math.max(maxGapNanos, nowNanos - lastEmitNanos);
    }
    lastEmitNanos = nowNanos;
    if (current != lastPredicted
        && (lastPredicted == null || current.swappedAtMillis() >= lastPredicted.swappedAtMillis())) {
      lastPredicted = current;
      if (current.publishedAtMillis() >= 0) {
        lastFirstPrediction = Math.max(0, nowMillis - current.publishedAtMillis());
        firstPrediction[(int) (firstPredictionCount++ % SWAP_SAMPLES)] = lastFirstPrediction;
      }
    }
  }

  synchronized void recordShadow(int rows) {
    shadowPredictions += rows;
  }

  synchronized void recordDeadLetter() {
    deadLetters++;
  }

  /**
   * The largest pause between two consecutive forward passes since the last call, then resets it;
   * a benchmark compares it during swaps and without.
   */
  public synchronized long takeMaxGapNanos() {
    long g = maxGapNanos;
    maxGapNanos = 0;
    return g;
  }

  /** Publication-to-first-prediction times of the recent swaps, ms, oldest first. */
  public synchronized long[] publicationToFirstPredictionMillis() {
    return recent(firstPrediction, firstPredictionCount);
  }

  @Override
  public synchronized long getPredictionsTotal() {
    return predictions;
  }

  @Override
  public double getPredictionsPerSecond() {
    long now = System.currentTimeMillis() / 1000;
    long sum = 0;
    synchronized (this) {
      for (int i = 0; i < RATE_BUCKETS; i++) {
        if (bucketSecond[i] < now && bucketSecond[i] >= now - RATE_WINDOW_SECONDS) {
          sum += bucketCount[i];
        }
      }
    }
    return sum / (double) RATE_WINDOW_SECONDS;
  }

  @Override
  public long getLatencyP50Micros() {
    return percentile(recentLatencies(), 0.50);
  }

  @Override
  public long getLatencyP99Micros() {
    return percentile(recentLatencies(), 0.99);
  }

  @Override
  public long getLatencyMaxMicros() {
    return percentile(recentLatencies(), 1.0);
  }

  @Override
  public long getServedVersion() {
    ServedModel.Current c = primary.current();
    return c == null ? -1 : c.version().version();
  }

  @Override
  public long getShadowVersion() {
    ServedModel.Current c = shadow == null ? null : shadow.current();
    return c == null ? -1 : c.version().version();
  }

  @Override
  public long getSwapCount() {
    return primary.swaps();
  }

  @Override
  public long getRefusedCount() {
    return primary.refused() + (shadow == null ? 0 : shadow.refused());
  }

  @Override
  public synchronized long getDeadLetterCount() {
    return deadLetters;
  }

  @Override
  public synchronized long getShadowPredictionsTotal() {
    return shadowPredictions;
  }

  @Override
  public synchronized long getLastPublicationToFirstPredictionMillis() {
    return lastFirstPrediction;
  }

  @Override
  public long getPublicationToFirstPredictionP99Millis() {
    return percentile(publicationToFirstPredictionMillis(), 0.99);
  }

  @Override
  public long getLastSwapPrepareMicros() {
    ServedModel.Current c = primary.current();
    return c == null ? -1 : c.prepareMicros();
  }

  @Override
  public synchronized double getMeanBatchSize() {
    return batches == 0 ? 0 : predictions / (double) batches;
  }

  /** A one-line summary for the CLI. */
  public String statusLine() {
    return String.format(java.util.Locale.ROOT,
        "serving v%d (shadow v%d) | %.0f predictions/s, %d total | latency p50 %.1f ms p99 %.1f ms | "
            + "swaps %d, refused %d, publication->first prediction %d ms | dead letters %d | batch %.1f",
        getServedVersion(), getShadowVersion(), getPredictionsPerSecond(), getPredictionsTotal(),
        getLatencyP50Micros() / 1000.0, getLatencyP99Micros() / 1000.0, getSwapCount(), getRefusedCount(),
        getLastPublicationToFirstPredictionMillis(), getDeadLetterCount(), getMeanBatchSize());
  }

  private synchronized long[] recentLatencies() {
    return recent(latencies, latencyCount);
  }

  private static long[] recent(long[] ring, long count) {
    int n = (int) Math.min(count, ring.length);
    long[] out = new long[n];
    long start = count - n;
    for (int i = 0; i < n; i++) {
      out[i] = ring[(int) ((start + i) % ring.length)];
    }
    return out;
  }

  /** The {@code q} quantile (nearest rank) of {@code values}, -1 when empty. */
  static long percentile(long[] values, double q) {
    if (values.length == 0) {
      return -1;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }
}
