package io.streamlearn.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metrics of one inference instance, shared by its stream threads: Micrometer meters in the
 * service's registry (served at {@code GET /metrics}; names in {@code docs/operations.md}) and the
 * status line of {@code streamlearn serve}, which reads the same meters, so the two never disagree.
 *
 * <p>Recorded once per micro-batch, not per record, under one lock: at a few hundred batches per
 * second the lock is never contended enough to matter next to a forward pass.
 *
 * <p>Predictions are counted per model, version and alias. A version's counter is removed once its
 * alias has served {@value #VERSIONS_KEPT} newer ones (a trainer publishing every few seconds would
 * otherwise grow a series per version forever); the totals keep its count.
 *
 * <p>Beside the meters, a few recent samples are kept for the status line and the inference bench
 * only: latencies of the last 8,192 predictions (for percentiles of the recent past, where the
 * exported histogram covers the whole run), and publication-to-first-prediction of the last 1,024
 * swaps.
 */
public final class InferenceMetrics {
  /** Predictions written: counter, tags model, version, alias. */
  public static final String PREDICTIONS = "streamlearn.predictions";
  /** Input's Kafka timestamp to prediction: timer (histogram, seconds), tags model, alias. */
  public static final String LATENCY = "streamlearn.prediction.latency";
  /** Rows per forward pass: distribution summary, tags model. */
  public static final String BATCH_SIZE = "streamlearn.inference.batch.size";
  /** Served-model changes: counter, tags model, alias. */
  public static final String SWAPS = "streamlearn.inference.swaps";
  /** Candidate versions refused: counter, tags model, alias, reason. */
  public static final String REFUSED = "streamlearn.inference.refused.versions";
  /** Inputs sent to the dead-letter topic: counter, tags model. */
  public static final String DEAD_LETTERS = "streamlearn.inference.dead.letters";
  /** Inputs waiting in the stream tasks' queues: gauge, tags model. */
  public static final String QUEUED = "streamlearn.inference.queued.events";
  /** The version an alias serves, 0 before the first: gauge, tags model, alias. */
  public static final String SERVED_VERSION = "streamlearn.inference.served.version";
  /** Alias move's publication to this instance's first prediction with it: timer, tags model, alias. */
  public static final String FIRST_PREDICTION = "streamlearn.inference.publication.to.first.prediction";

  static final int VERSIONS_KEPT = 4;
  private static final int LATENCY_SAMPLES = 8192;
  private static final int SWAP_SAMPLES = 1024;
  /** The latency histogram's bounds: a forward pass takes a fraction of a millisecond; a backlog, seconds. */
  private static final Duration[] LATENCY_SLOS = {
      Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)};

  private final MeterRegistry meters;
  private final String model;
  private final String alias;
  private final String shadowAlias;
  private final ServedModel primary;
  private final ServedModel shadow;
  private final String canaryAlias;
  private final ServedModel canary;
  private final Timer latency;
  private final Timer canaryLatency;
  private final DistributionSummary batchSize;
  private final Counter deadLetters;
  private final Timer firstPredictionTimer;
  private final AtomicLong queued = new AtomicLong();
  /** Per alias, the per-version prediction counters, oldest first. */
  private final Map<String, LinkedHashMap<Long, Counter>> predictions = new HashMap<>();
  /** Per alias, the counts of the counters removed from the registry. */
  private final Map<String, Long> retired = new HashMap<>();
  private final long[] latencies = new long[LATENCY_SAMPLES];
  private long latencyCount;
  private final long[] firstPrediction = new long[SWAP_SAMPLES];
  private long firstPredictionCount;
  private long lastFirstPrediction = -1;
  private ServedModel.Current lastPredicted;
  private long lastEmitNanos;
  private long maxGapNanos;
  private long statusTotal;
  private long statusNanos = System.nanoTime();

  /**
   * Metrics over the primary and (nullable) shadow served models, recorded in {@code meters}.
   *
   * @param model the served model's name
   * @param alias the served alias
   * @param shadowAlias the shadow alias, {@code null} when {@code shadow} is
   */
  public InferenceMetrics(MeterRegistry meters, String model, String alias, ServedModel primary,
                          String shadowAlias, ServedModel shadow) {
    this(meters, model, alias, primary, shadowAlias, shadow, null, null);
  }

  /**
   * Metrics over the primary, (nullable) shadow and (nullable) canary served models, recorded in
   * {@code meters}.
   *
   * @param canaryAlias the canary alias, {@code null} when {@code canary} is
   */
  public InferenceMetrics(MeterRegistry meters, String model, String alias, ServedModel primary,
                          String shadowAlias, ServedModel shadow, String canaryAlias, ServedModel canary) {
    if ((shadowAlias == null) != (shadow == null)) {
      throw new IllegalArgumentException("shadowAlias and shadow must both be set or both null, found "
          + shadowAlias + " and " + shadow);
    }
    if ((canaryAlias == null) != (canary == null)) {
      throw new IllegalArgumentException("canaryAlias and canary must both be set or both null, found "
          + canaryAlias + " and " + canary);
    }
    this.canaryAlias = canaryAlias;
    this.canary = canary;
    this.meters = meters;
    this.model = model;
    this.alias = alias;
    this.shadowAlias = shadowAlias;
    this.primary = primary;
    this.shadow = shadow;
    Tags ofModel = Tags.of("model", model);
    this.latency = latencyTimer(alias);
    this.canaryLatency = canary == null ? null : latencyTimer(canaryAlias);
    this.batchSize = DistributionSummary.builder(BATCH_SIZE)
        .description("Rows scored per forward pass")
        .baseUnit("rows")
        .tags(ofModel)
        .register(meters);
    this.deadLetters = Counter.builder(DEAD_LETTERS)
        .description("Inputs sent to the dead-letter topic (undecodable, wrong width, non-finite, or too many waiting)")
        .tags(ofModel)
        .register(meters);
    this.firstPredictionTimer = Timer.builder(FIRST_PREDICTION)
        .description("Publication of an alias move to this instance's first prediction with the version it names")
        .tags(ofModel.and("alias", alias))
        .register(meters);
    Gauge.builder(QUEUED, queued, AtomicLong::get)
        .description("Inputs waiting in this instance's task queues (no model yet, or filling a micro-batch)")
        .tags(ofModel)
        .register(meters);
    aliasMeters(alias, primary);
    if (shadow != null) {
      aliasMeters(shadowAlias, shadow);
    }
    if (canary != null) {
      aliasMeters(canaryAlias, canary);
    }
  }

  private Timer latencyTimer(String aliasName) {
    return Timer.builder(LATENCY)
        .description("Input's Kafka timestamp to its prediction")
        .tags(Tags.of("model", model, "alias", aliasName))
        .publishPercentileHistogram()
        .serviceLevelObjectives(LATENCY_SLOS)
        .minimumExpectedValue(LATENCY_SLOS[0])
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(meters);
  }

  /** Metrics of a service's settings, recorded in {@code meters}. */
  static InferenceMetrics of(MeterRegistry meters, InferenceSettings settings, ServedModel primary,
                             ServedModel shadow, ServedModel canary) {
    return new InferenceMetrics(meters, settings.model(), settings.alias(), primary, settings.shadowAlias(), shadow,
        settings.canaryAlias(), canary);
  }

  /** Meters that read what a served-model holder keeps (its version, swaps and refusals). */
  private void aliasMeters(String aliasName, ServedModel served) {
    Tags tags = Tags.of("model", model, "alias", aliasName);
    Gauge.builder(SERVED_VERSION, served, InferenceMetrics::versionOrZero)
        .description("The version the alias serves on this instance, 0 before the first")
        .tags(tags)
        .register(meters);
    FunctionCounter.builder(SWAPS, served, ServedModel::swaps)
        .description("Times the served model of the alias changed")
        .tags(tags)
        .register(meters);
    for (ServedModel.Refusal reason : ServedModel.Refusal.values()) {
      FunctionCounter.builder(REFUSED, served, s -> s.refused(reason))
          .description("Candidate versions refused, by the check that refused them")
          .tags(tags.and("reason", reason.tag()))
          .register(meters);
    }
    predictions.put(aliasName, new LinkedHashMap<>());
    retired.put(aliasName, 0L);
  }

  private static double versionOrZero(ServedModel served) {
    ServedModel.Current c = served.current();
    return c == null ? 0 : c.version().version();
  }

  /**
   * Records one forward pass of {@code rows} predictions made by {@code current}.
   *
   * @param latencyMicros the latency of each prediction (first {@code rows} values)
   */
  synchronized void recordBatch(ServedModel.Current current, int rows, long[] latencyMicros, long nowMillis,
                                long nowNanos) {
    for (int i = 0; i < rows; i++) {
      long micros = Math.max(0, latencyMicros[i]); // a producer's clock ahead of ours is not a negative wait
      latencies[(int) (latencyCount++ % LATENCY_SAMPLES)] = micros;
      latency.record(micros, TimeUnit.MICROSECONDS);
    }
    predictionCounter(alias, current.version().version()).increment(rows);
    batchSize.record(rows);
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
        firstPredictionTimer.record(lastFirstPrediction, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Records {@code rows} predictions of the shadow alias by {@code by}. */
  synchronized void recordShadow(ServedModel.Current by, int rows) {
    if (shadowAlias == null) {
      throw new IllegalStateException("no shadow alias is configured");
    }
    predictionCounter(shadowAlias, by.version().version()).increment(rows);
  }

  /**
   * Records one forward pass of {@code rows} predictions of the canary alias by {@code by}; their
   * latencies are the first {@code rows} values of {@code latencyMicros}.
   */
  synchronized void recordCanary(ServedModel.Current by, int rows, long[] latencyMicros) {
    if (canaryAlias == null) {
      throw new IllegalStateException("no canary alias is configured");
    }
    for (int i = 0; i < rows; i++) {
      canaryLatency.record(Math.max(0, latencyMicros[i]), TimeUnit.MICROSECONDS);
    }
    predictionCounter(canaryAlias, by.version().version()).increment(rows);
    batchSize.record(rows);
  }

  void recordDeadLetter() {
    deadLetters.increment();
  }

  /** Adds {@code delta} (negative when scored or dropped) to the events waiting in the task queues. */
  void queued(long delta) {
    queued.addAndGet(delta);
  }

  /** The counter of one version's predictions, registered on first use; retires the oldest beyond the kept. */
  private Counter predictionCounter(String aliasName, long version) {
    LinkedHashMap<Long, Counter> byVersion = predictions.get(aliasName);
    Counter c = byVersion.get(version);
    if (c != null) {
      return c;
    }
    c = Counter.builder(PREDICTIONS)
        .description("Predictions written, by the version and alias that made them")
        .tags("model", model, "version", Long.toString(version), "alias", aliasName)
        .register(meters);
    byVersion.put(version, c);
    Iterator<Counter> oldest = byVersion.values().iterator();
    while (byVersion.size() > VERSIONS_KEPT) {
      Counter gone = oldest.next();
      retired.merge(aliasName, (long) gone.count(), Long::sum);
      meters.remove(gone);
      oldest.remove();
    }
    return c;
  }

  private synchronized long total(String aliasName) {
    Map<Long, Counter> byVersion = predictions.get(aliasName);
    if (byVersion == null) {
      return 0;
    }
    long sum = retired.get(aliasName);
    for (Counter c : byVersion.values()) {
      sum += (long) c.count();
    }
    return sum;
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

  /** Predictions of the served alias since start. */
  public long getPredictionsTotal() {
    return total(alias);
  }

  /** Median latency (input's Kafka timestamp to prediction) of the last 8,192 predictions, µs; -1 before any. */
  public long getLatencyP50Micros() {
    return percentile(recentLatencies(), 0.50);
  }

  /** 99th percentile latency of the last 8,192 predictions, µs; -1 before any. */
  public long getLatencyP99Micros() {
    return percentile(recentLatencies(), 0.99);
  }

  /** The served version of the primary alias, -1 before the first. */
  public long getServedVersion() {
    ServedModel.Current c = primary.current();
    return c == null ? -1 : c.version().version();
  }

  /** The served version of the shadow alias, -1 when none (or shadow scoring is off). */
  public long getShadowVersion() {
    ServedModel.Current c = shadow == null ? null : shadow.current();
    return c == null ? -1 : c.version().version();
  }

  /** How many times the primary model was swapped. */
  public long getSwapCount() {
    return primary.swaps();
  }

  /** How many candidate versions were refused (every alias followed). */
  public long getRefusedCount() {
    return primary.refused() + (shadow == null ? 0 : shadow.refused()) + (canary == null ? 0 : canary.refused());
  }

  /** Inputs sent to the dead-letter topic. */
  public long getDeadLetterCount() {
    return (long) deadLetters.count();
  }

  /** Shadow predictions written. */
  public long getShadowPredictionsTotal() {
    return shadowAlias == null ? 0 : total(shadowAlias);
  }

  /** Predictions of the canary alias since start (0 without a canary). */
  public long getCanaryPredictionsTotal() {
    return canaryAlias == null ? 0 : total(canaryAlias);
  }

  /** The version the canary alias serves, -1 when none (or there is no canary). */
  public long getCanaryVersion() {
    ServedModel.Current c = canary == null ? null : canary.current();
    return c == null ? -1 : c.version().version();
  }

  /** Inputs waiting in the task queues now. */
  public long getQueuedEvents() {
    return queued.get();
  }

  /** From the alias move's publication to this instance's first prediction with it, last swap, ms; -1 before any. */
  public synchronized long getLastPublicationToFirstPredictionMillis() {
    return lastFirstPrediction;
  }

  /** Mean rows per forward pass since start, 0 before any. */
  public double getMeanBatchSize() {
    return batchSize.count() == 0 ? 0 : batchSize.mean();
  }

  /**
   * A one-line summary for the CLI; its rate is over the time since the previous call. Before the
   * first model it says so rather than showing a version and latencies that do not exist.
   */
  public String statusLine() {
    long[] recent = recentLatencies();
    Arrays.sort(recent); // outside the lock the stream threads record under
    long p50 = percentile(recent, 0.50);
    long p99 = percentile(recent, 0.99);
    long total = getPredictionsTotal() + getCanaryPredictionsTotal();
    long lastFirst = getLastPublicationToFirstPredictionMillis();
    double rate;
    synchronized (this) {
      long now = System.nanoTime();
      rate = now == statusNanos ? 0 : (total - statusTotal) * 1e9 / (now - statusNanos);
      statusTotal = total;
      statusNanos = now;
    }
    String serving = primary.current() == null
        ? "no model yet for " + model + "@" + alias
        : "serving v" + getServedVersion();
    if (shadow != null) {
      serving += shadow.current() == null ? " (shadow: no model yet)" : " (shadow v" + getShadowVersion() + ")";
    }
    if (canary != null) {
      serving += " (canary " + (canary.current() == null ? "no model yet, its share served by " + alias
          : "v" + getCanaryVersion() + ": " + getCanaryPredictionsTotal() + " predictions") + ")";
    }
    return String.format(Locale.ROOT,
        "%s | %.0f predictions/s, %d total | latency %s | swaps %d, refused %d, publication->first prediction %s"
            + " | queued %d | dead letters %d | batch %s",
        serving, rate, total,
        p50 < 0 ? "-" : String.format(Locale.ROOT, "p50 %.1f ms p99 %.1f ms", p50 / 1000.0, p99 / 1000.0),
        getSwapCount(), getRefusedCount(), lastFirst < 0 ? "-" : lastFirst + " ms",
        getQueuedEvents(), getDeadLetterCount(),
        batchSize.count() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", getMeanBatchSize()));
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
