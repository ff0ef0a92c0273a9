package io.streamlearn.bench;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench inference}'s micro-batch settings side by side (issue #15): each variant's throughput
 * over a pre-filled topic (a saturating load) and its latency at steady rates, all in one run, the
 * variants taking turns so that a load which comes and goes on a shared machine hits them alike.
 * Beside the rates it prints the stream thread's CPU time per event, the whole process's (broker
 * included) and the mean batch size: they tell a difference in work apart from a difference in
 * waiting, which the rates alone cannot.
 */
final class BatchComparison {
  private static final Logger log = LoggerFactory.getLogger(BatchComparison.class);
  /** The service's own defaults. */
  static final Variant DEFAULTS = new Variant("defaults", Map.of());

  private final EmbeddedKafka kafka;
  private final int partitions;
  private final Services services;
  private final List<Variant> variants;

  /**
   * A named set of inference settings on top of the bench's own.
   *
   * @param label how the tables name it
   * @param settings the inference settings it sets (empty: the service's defaults)
   */
  record Variant(String label, Map<String, String> settings) {
    Variant {
      if (label == null || label.isBlank()) {
        throw new IllegalArgumentException("label must not be blank, found '" + label + "'");
      }
      settings = Map.copyOf(settings);
    }
  }

  /** Starts inference services for the comparison. */
  interface Services {
    /** The bench's configuration reading {@code input}, with {@code settings} on top. */
    InferenceConfig config(String input, Map<String, String> settings) throws Exception;
  }

  /**
   * One run over the pre-filled topic.
   *
   * @param eventsPerSecond predictions a second, first to last
   * @param streamCpuMicros stream thread CPU time per event, µs
   * @param processCpuMicros CPU time of the whole process (broker, clients, service) per event, µs
   * @param meanBatch rows per forward pass
   */
  record Throughput(double eventsPerSecond, double streamCpuMicros, double processCpuMicros, double meanBatch) {}

  /**
   * One run at a steady rate.
   *
   * @param p50Micros median of input appended to prediction made
   * @param p99Micros its 99th percentile
   * @param meanBatch rows per forward pass
   * @param streamCpuMicros stream thread CPU time per event, µs
   */
  record Steady(long p50Micros, long p99Micros, double meanBatch, double streamCpuMicros) {}

  BatchComparison(EmbeddedKafka kafka, int partitions, Services services, List<Variant> variants) {
    this.kafka = kafka;
    this.partitions = partitions;
    this.services = services;
    this.variants = List.copyOf(variants);
  }

  /**
   * {@code rounds} throughput runs of every variant over {@code topic} (holding {@code events}),
   * the order rotating by one each round.
   */
  Map<Variant, List<Throughput>> throughput(String topic, int events, int rounds) throws Exception {
    Map<Variant, List<Throughput>> runs = new LinkedHashMap<>();
    variants.forEach(v -> runs.put(v, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < variants.size(); i++) {
        Variant v = variants.get((i + round) % variants.size());
        runs.get(v).add(throughput(topic, events, v));
      }
    }
    return runs;
  }

  private Throughput throughput(String topic, int events, Variant v) throws Exception {
    InferenceConfig c = services.config(topic, v.settings());
    try (InferenceService s = new InferenceService(c)) {
      s.start();
      String app = c.getString(InferenceConfig.APPLICATION_ID);
      while (s.metrics().getPredictionsTotal() == 0) {
        check(s);
        Thread.sleep(1);
      }
      long t0 = System.nanoTime();
      long c0 = s.metrics().getPredictionsTotal();
      long stream0 = streamThreadCpuNanos(app);
      long process0 = processCpuNanos();
      while (s.metrics().getPredictionsTotal() < events) {
        check(s);
        Thread.sleep(1);
      }
      long n = s.metrics().getPredictionsTotal() - c0;
      double seconds = (System.nanoTime() - t0) / 1e9;
      logThreadTime(app, v.label());
      return new Throughput(n / seconds, (streamThreadCpuNanos(app) - stream0) / 1000.0 / n,
          (processCpuNanos() - process0) / 1000.0 / n, s.metrics().getMeanBatchSize());
    }
  }

  /**
   * A run of every variant at each rate for {@code seconds} after a second of warm-up, the order
   * rotating by one for each rate; each run reads a topic of its own.
   */
  Map<Integer, Map<Variant, Steady>> steady(List<byte[]> values, List<Integer> rates, int seconds) throws Exception {
    Map<Integer, Map<Variant, Steady>> out = new LinkedHashMap<>();
    int runs = 0;
    for (int r = 0; r < rates.size(); r++) {
      int rate = rates.get(r);
      Map<Variant, Steady> byVariant = new LinkedHashMap<>();
      variants.forEach(v -> byVariant.put(v, null));
      for (int i = 0; i < variants.size(); i++) {
        Variant v = variants.get((i + r) % variants.size());
        String topic = "bench.compare-" + rate + "-" + runs++;
        kafka.createTopic(topic, partitions, Map.of());
        byVariant.put(v, steady(values, topic, rate, seconds, v));
      }
      out.put(rate, byVariant);
    }
    return out;
  }

  private Steady steady(List<byte[]> values, String topic, int rate, int seconds, Variant v) throws Exception {
    InferenceConfig c = services.config(topic, v.settings());
    String app = c.getString(InferenceConfig.APPLICATION_ID);
    LatencyReader reader = new LatencyReader(kafka.bootstrapServers(), c.getString(CommonKeys.PREDICTIONS_TOPIC));
    SteadyProducer producer = new SteadyProducer(kafka.bootstrapServers(), topic, values, rate);
    Thread readerThread = new Thread(reader, "bench-reader");
    Thread producerThread = new Thread(producer, "bench-producer");
    try (InferenceService s = new InferenceService(c)) {
      s.start();
      readerThread.start();
      producerThread.start();
      while (s.metrics().getPredictionsTotal() == 0) {
        check(s);
        Thread.sleep(10);
      }
      Thread.sleep(1_000); // warm-up
      long c0 = s.metrics().getPredictionsTotal();
      long cpu0 = streamThreadCpuNanos(app);
      reader.recording(true);
      Thread.sleep(seconds * 1_000L);
      reader.recording(false);
      long n = Math.max(1, s.metrics().getPredictionsTotal() - c0);
      double cpu = (streamThreadCpuNanos(app) - cpu0) / 1000.0 / n;
      return new Steady(reader.reported().percentile(0.5), reader.reported().percentile(0.99),
          s.metrics().getMeanBatchSize(), cpu);
    } finally {
      producer.stop();
      reader.stop();
      producerThread.join();
      readerThread.join();
    }
  }

  /** The throughput table: best and median of the rounds, each run's rate, and the CPU per event. */
  void printThroughput(PrintStream out, Map<Variant, List<Throughput>> runs, double passThrough) {
    out.println("| micro-batch setting | events/s, best | median | each round | ratio to pass-through (best)"
        + " | stream thread CPU µs/event (median) | process CPU µs/event (median) | mean batch |");
    out.println("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
    for (Map.Entry<Variant, List<Throughput>> e : runs.entrySet()) {
      List<Throughput> rs = e.getValue();
      double[] rates = rs.stream().mapToDouble(Throughput::eventsPerSecond).toArray();
      double best = Arrays.stream(rates).max().orElse(0);
      StringBuilder each = new StringBuilder();
      for (double r : rates) {
        each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", r));
      }
      out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %s | %.2f | %.1f | %.1f | %.1f |%n", e.getKey().label(), best,
          median(rates), each, best / passThrough,
          median(rs.stream().mapToDouble(Throughput::streamCpuMicros).toArray()),
          median(rs.stream().mapToDouble(Throughput::processCpuMicros).toArray()),
          median(rs.stream().mapToDouble(Throughput::meanBatch).toArray()));
    }
  }

  /** The steady-rate table, one row per rate and variant. */
  void printSteady(PrintStream out, Map<Integer, Map<Variant, Steady>> runs) {
    out.println("| micro-batch setting | events/s | latency p50 ms | latency p99 ms | mean batch"
        + " | stream thread CPU µs/event |");
    out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (Map.Entry<Integer, Map<Variant, Steady>> byRate : runs.entrySet()) {
      for (Map.Entry<Variant, Steady> e : byRate.getValue().entrySet()) {
        Steady s = e.getValue();
        out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n", e.getKey().label(), byRate.getKey(),
            s.p50Micros() / 1000.0, s.p99Micros() / 1000.0, s.meanBatch(), s.streamCpuMicros());
      }
    }
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static void check(InferenceService s) {
    KafkaStreams.State state = s.state();
    if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
      throw new IllegalStateException("the inference service under measurement stopped (" + state + "); see the log");
    }
  }

  /** CPU time of the stream threads of {@code applicationId} (named {@code <id>-<uuid>-StreamThread-<n>}). */
  static long streamThreadCpuNanos(String applicationId) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Pattern name = Pattern.compile(Pattern.quote(applicationId) + "-[0-9a-f-]{36}-StreamThread-\\d+");
    long sum = 0;
    for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t != null && name.matcher(t.getThreadName()).matches()) {
        sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }

  /**
   * Logs where the stream thread's time went in the run (Kafka Streams' own thread metrics, read
   * from JMX): processing, polling, committing (an exactly-once commit blocks the thread) and
   * punctuating, and the mean commit time.
   */
  private static void logThreadTime(String applicationId, String label) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      for (ObjectName n : server.queryNames(new ObjectName("kafka.streams:type=stream-thread-metrics,*"), null)) {
        if (!n.getKeyProperty("thread-id").startsWith(applicationId + "-")) {
          continue;
        }
        StringBuilder b = new StringBuilder();
        for (String a : List.of("process-ratio", "poll-ratio", "commit-ratio", "punctuate-ratio", "commit-latency-avg")) {
          Object value = server.getAttribute(n, a);
          b.append(' ').append(a).append('=').append(value instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : value);
        }
        log.info("{} ({}): stream thread{}", label, applicationId, b);
      }
    } catch (JMException e) {
      log.warn("stream thread metrics of {} not read: {}", applicationId, e.toString());
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
