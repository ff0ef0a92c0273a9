package io.streamlearn.bench;

import io.streamlearn.app.Artifacts;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.learn.Model;
import io.streamlearn.data.Dataset;
import io.streamlearn.data.FashionMnist;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlearn bench inference}: on an embedded broker, the throughput of one inference
 * instance (MLP 784-128-10 on Fashion-MNIST features, random weights) from a pre-filled topic next
 * to a raw Kafka Streams pass-through of the same topic with the same settings, in three micro-batch
 * settings taking turns, which are also compared at steady rates ({@link BatchComparison}); then, at a steady
 * rate, latency percentiles, and swaps: prepare time, publication to first prediction, and the
 * largest gap between forward passes during swaps and without; then the predict API over HTTP
 * ({@link RestPredictBench}). {@code --parts} picks which of the three run.
 */
public final class InferenceBench {
  private static final Logger log = LoggerFactory.getLogger(InferenceBench.class);
  private static final String MODEL = "bench";
  private static final String LAYERS = "dense(128,relu) > dense(10,softmax)";
  private static final int FEATURES = 784;
  static final String EVENTS = "events";
  static final String RATE = "rate";
  static final String STEADY_SECONDS = "steady.seconds";
  static final String SWAPS = "swaps";
  static final String BATCH = "batch";
  static final String PARTITIONS = "partitions";
  static final String DATA = "data";
  static final String REST_RATE = "rest.rate";
  static final String REST_SECONDS = "rest.seconds";
  static final String REST_CLIENTS = "rest.clients";
  static final String PARTS = "parts";
  private static final List<String> ALL_PARTS = List.of("throughput", "steady", "rest");
  static final String ROUNDS = "rounds";
  static final String COMPARE_RATES = "compare.rates";
  static final String COMPARE_SECONDS = "compare.seconds";

  /** The bench's options. */
  public static final ConfigDef DEF = new ConfigDef()
      .define(EVENTS, Type.INT, 60_000, Range.atLeast(1), Importance.HIGH,
          "Events in the pre-filled topic, for the throughput runs.")
      .define(RATE, Type.INT, 5_000, Range.atLeast(1), Importance.HIGH, "Events per second of the steady run.")
      .define(STEADY_SECONDS, Type.INT, 8, Range.atLeast(1), Importance.MEDIUM, "Length of the steady run.")
      .define(SWAPS, Type.INT, 20, Range.atLeast(1), Importance.MEDIUM, "Versions published during the steady stream.")
      .define(BATCH, Type.INT, 32, Range.atLeast(1), Importance.MEDIUM,
          "A fixed batch.max.size compared with 1 and with the service's defaults (32: the default before issue #15).")
      .define(ROUNDS, Type.INT, 3, Range.atLeast(1), Importance.MEDIUM,
          "Throughput runs of each micro-batch setting, the settings taking turns.")
      .define(COMPARE_RATES, Type.LIST, "1000,5000", Importance.MEDIUM,
          "Steady rates (events/s) at which the micro-batch settings' latencies are compared; empty: none.")
      .define(COMPARE_SECONDS, Type.INT, 4, Range.atLeast(1), Importance.MEDIUM,
          "Length of each setting's run at each compared rate, after a second of warm-up.")
      .define(PARTITIONS, Type.INT, 2, Range.between(1, 64), Importance.MEDIUM, "Partitions of the topics.")
      .define(DATA, Type.STRING, FashionMnist.DEFAULT_DIR, Importance.MEDIUM, "Directory of the Fashion-MNIST IDX files.")
      .define(REST_RATE, Type.INT, 1_000, Range.atLeast(1), Importance.MEDIUM,
          "Requests per second of the predict API's open-loop run.")
      .define(REST_SECONDS, Type.INT, 10, Range.atLeast(1), Importance.MEDIUM,
          "Length of the predict API's open-loop run, after a 3 s warm-up (the closed loop runs half as long).")
      .define(REST_CLIENTS, Type.INT, 4, Range.between(1, 256), Importance.MEDIUM,
          "Concurrent clients of the predict API's closed-loop (max throughput) run.")
      .define(PARTS, Type.LIST, String.join(",", ALL_PARTS), (name, value) -> {
        for (Object part : (List<?>) value) {
          if (!ALL_PARTS.contains(part)) {
            throw new org.apache.kafka.common.config.ConfigException(name, value, "parts are " + ALL_PARTS);
          }
        }
      }, Importance.LOW, "Which parts to run: throughput (with the forward pass alone), steady (latency and swaps),"
          + " rest (the predict API).");

  private InferenceBench() {}

  /** Runs the bench with {@code streamlearn bench inference} arguments and prints its tables. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    AbstractConfig opt = new AbstractConfig(DEF, Settings.ownKeys(Settings.collect(DEF, args, env)), false);
    int events = opt.getInt(EVENTS);
    int rate = opt.getInt(RATE);
    int partitions = opt.getInt(PARTITIONS);
    int batchSize = opt.getInt(BATCH);
    List<byte[]> values = fashionMnistValues(Path.of(opt.getString(DATA)));
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<String> parts = opt.getList(PARTS);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Bench b = new Bench(kafka, partitions);
      b.publisher.publish(RandomVersions.create(MODEL, 1, FEATURES, LAYERS, 1), "live");
      if (parts.contains("throughput")) {
        b.prefill(values, events);
        throughput(b, kafka, values, events, partitions, batchSize, opt, load, out);
      }
      if (parts.contains("steady")) {
        b.steady(values, rate, opt.getInt(STEADY_SECONDS), opt.getInt(SWAPS), out);
      }
      if (parts.contains("rest")) {
        RestPredictBench.run(b.config("bench.rest", Map.of()).settings(), features(values, 1_000),
            opt.getInt(REST_RATE), opt.getInt(REST_SECONDS), opt.getInt(REST_CLIENTS), out);
      }
      b.close();
    }
    return 0;
  }

  /** The features of the first {@code count} values. */
  private static List<float[]> features(List<byte[]> values, int count) {
    InputEventDecoder decoder = InputEventDecoder.forFeatures();
    List<float[]> rows = new ArrayList<>();
    for (int r = 0; r < Math.min(count, values.size()); r++) {
      rows.add(decoder.decode("bench", values.get(r)).features());
    }
    return rows;
  }

  /**
   * Inference against the pass-through over the pre-filled topic, in the micro-batch settings
   * taking turns, their latencies at steady rates, then the forward pass alone.
   */
  private static void throughput(Bench b, EmbeddedKafka kafka, List<byte[]> values, int events, int partitions,
                                 int batchSize, AbstractConfig opt, double load, PrintStream out) throws Exception {
    BatchComparison compare = new BatchComparison(kafka, partitions, b::config, variants(batchSize));
    // The pass-through first and last, so neither it nor inference gets all the warm-up (JIT, page
    // cache); the best of each counts.
    double passFirst = b.passThrough(events);
    var throughput = compare.throughput(b.prefilled, events, opt.getInt(ROUNDS));
    double passLast = b.passThrough(events);
    double passThrough = Math.max(passFirst, passLast);
    out.printf(Locale.ROOT, "%nInference throughput: %d pre-filled Fashion-MNIST events, %d partitions,"
        + " one instance, one stream thread, exactly_once_v2, MLP 784-128-10; %d rounds, the settings taking"
        + " turns (load average before: %.2f, after: %.2f)%n%n", events, partitions, opt.getInt(ROUNDS), load,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    out.println("| run | events/s | ratio to pass-through | goal |");
    out.println("| --- | ---: | ---: | --- |");
    out.printf(Locale.ROOT, "| raw Kafka Streams pass-through (bytes in, bytes out), first run | %.0f | %.2f | |%n",
        passFirst, passFirst / passThrough);
    out.printf(Locale.ROOT, "| raw Kafka Streams pass-through, last run | %.0f | %.2f | |%n",
        passLast, passLast / passThrough);
    List<BatchComparison.Throughput> byDefault = throughput.get(BatchComparison.DEFAULTS);
    double inference = byDefault.stream().mapToDouble(BatchComparison.Throughput::eventsPerSecond).max().orElse(0);
    out.printf(Locale.ROOT, "| inference, MLP 784-128-10, default micro-batch settings (best round) | %.0f | %.2f"
        + " | >= 0.7 of the faster pass-through |%n%n", inference, inference / passThrough);
    compare.printThroughput(out, throughput, passThrough);
    List<Integer> rates = opt.getList(COMPARE_RATES).stream().map(String::trim).filter(r -> !r.isEmpty())
        .map(Integer::valueOf).toList();
    if (!rates.isEmpty()) {
      double before = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      var steady = compare.steady(values, rates, opt.getInt(COMPARE_SECONDS));
      out.printf(Locale.ROOT, "%nLatency (input appended -> prediction made) at steady rates, %d s per setting"
          + " after 1 s of warm-up, the settings taking turns (load average before: %.2f, after: %.2f)%n%n",
          opt.getInt(COMPARE_SECONDS), before, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      compare.printSteady(out, steady);
    }
    forwardPassOnly(values, batchSize, out);
  }

  /**
   * The micro-batch settings compared: batches of {@code batch} that wait up to 2 ms to fill (the
   * defaults before issue #15), one event per pass, and the defaults.
   */
  static List<BatchComparison.Variant> variants(int batch) {
    return List.of(
        new BatchComparison.Variant("batch.max.size=" + batch + ", batch.linger.ms=2 (waits for a full batch)", Map.of(
            InferenceConfig.BATCH_MAX_SIZE, String.valueOf(batch), InferenceConfig.BATCH_LINGER_MS, "2")),
        new BatchComparison.Variant("batch.max.size=1", Map.of(InferenceConfig.BATCH_MAX_SIZE, "1")),
        BatchComparison.DEFAULTS);
  }

  /** The forward pass alone, one row per call against {@code batch} rows per call. */
  private static void forwardPassOnly(List<byte[]> values, int batch, PrintStream out) {
    Model model = Artifacts.toModel(RandomVersions.create(MODEL, 1, FEATURES, LAYERS, 1));
    InputEventDecoder decoder = InputEventDecoder.forFeatures();
    int rows = Math.max(1, Math.min(batch, 256));
    float[] x = new float[rows * FEATURES];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(decoder.decode("bench", values.get(r)).features(), 0, x, r * FEATURES, FEATURES);
    }
    float[] y = new float[rows * model.outputs()];
    double[] perRow = new double[2];
    int[] sizes = {1, batch};
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < sizes.length; k++) {
        int total = 40_000;
        long t0 = System.nanoTime();
        for (int done = 0; done < total; done += sizes[k]) {
          model.predict(x, sizes[k], y);
        }
        perRow[k] = (System.nanoTime() - t0) / 1000.0 / total; // the second round, warm, is kept
      }
    }
    out.printf(Locale.ROOT, "%nForward pass alone (MLP 784-128-10, one thread): %.1f µs per row one row at a time,"
        + " %.1f µs per row %d rows at a time (%.1fx)%n", perRow[0], perRow[1], batch, perRow[0] / perRow[1]);
  }

  private static List<byte[]> fashionMnistValues(Path dir) {
    if (!FashionMnist.availableAt(dir)) {
      throw new IllegalArgumentException("Fashion-MNIST not found in " + dir
          + " (install Debian's dataset-fashion-mnist or pass --data DIR)");
    }
    Dataset d = FashionMnist.load(dir, false);
    AvroSerde<FeatureEvent> serde = AvroSerde.of(FeatureEvent.class);
    List<byte[]> values = new ArrayList<>(d.rows());
    for (int r = 0; r < d.rows(); r++) {
      List<Float> x = new ArrayList<>(d.cols());
      for (int c = 0; c < d.cols(); c++) {
        x.add(d.features()[r * d.cols() + c]);
      }
      values.add(serde.serialize(null, new FeatureEvent("fm-" + r, Instant.now(), x)));
    }
    return values;
  }

  /** The state of one run: the broker, topics and publisher. */
  private static final class Bench implements AutoCloseable {
    final EmbeddedKafka kafka;
    final int partitions;
    final VersionPublisher publisher;
    final String models = "bench.models";
    final String prefilled = "bench.prefilled";
    int runs;

    Bench(EmbeddedKafka kafka, int partitions) {
      this.kafka = kafka;
      this.partitions = partitions;
      kafka.createTopic(models, 1, Map.of("cleanup.policy", "compact", "max.message.bytes", "16777216"));
      kafka.createTopic(prefilled, partitions, Map.of());
      this.publisher = new VersionPublisher(kafka.bootstrapServers(), models);
    }

    void prefill(List<byte[]> values, int events) {
      try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20,
          ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024), new StringSerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < events; i++) {
          p.send(new ProducerRecord<>(prefilled, "e-" + i, values.get(i % values.size())));
        }
      }
    }

    /** The bench's inference configuration reading {@code input}, with {@code settings} on top. */
    InferenceConfig config(String input, Map<String, String> settings) throws Exception {
      runs++;
      Map<String, String> s = new HashMap<>();
      s.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      s.put(CommonKeys.MODEL_NAME, MODEL);
      s.put(CommonKeys.MODELS_TOPIC, models);
      s.put(InferenceConfig.INPUT_TOPICS, input);
      s.put(CommonKeys.PREDICTIONS_TOPIC, "bench.predictions-" + runs);
      s.put(CommonKeys.DEAD_LETTER_TOPIC, "bench.dead-letter");
      s.put(CommonKeys.TOPIC_PARTITIONS, String.valueOf(partitions));
      s.put(InferenceConfig.APPLICATION_ID, "bench-" + runs);
      s.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("bench-streams").toString());
      s.putAll(settings);
      return new InferenceConfig(s);
    }

    /** Events/s of a bytes pass-through with the inference service's Streams settings. */
    double passThrough(int events) throws Exception {
      InferenceConfig c = config(prefilled, Map.of());
      AtomicLong count = new AtomicLong();
      Topology t = new Topology();
      t.addSource("in", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), prefilled);
      t.addProcessor("count", () -> new Processor<String, byte[], String, byte[]>() {
        private ProcessorContext<String, byte[]> context;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
          this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
          context.forward(record);
          count.incrementAndGet();
        }
      }, "in");
      t.addSink("out", c.getString(CommonKeys.PREDICTIONS_TOPIC), Serdes.String().serializer(),
          Serdes.ByteArray().serializer(), "count");
      kafka.createTopic(c.getString(CommonKeys.PREDICTIONS_TOPIC), partitions, Map.of());
      var props = InferenceService.streamsProperties(c);
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-pass-through-" + runs);
      try (KafkaStreams streams = new KafkaStreams(t, props)) {
        streams.start();
        return measure(count::get, events, () -> streams.state().isRunningOrRebalancing()
            || streams.state() == KafkaStreams.State.CREATED);
      }
    }

    /** Rate from the first counted record to the last, sampled every millisecond. */
    static double measure(LongSupplier count, int events, BooleanSupplier alive) throws InterruptedException {
      while (count.getAsLong() == 0) {
        check(alive);
        Thread.sleep(1);
      }
      long t0 = System.nanoTime();
      long c0 = count.getAsLong();
      while (count.getAsLong() < events) {
        check(alive);
        Thread.sleep(1);
      }
      return (count.getAsLong() - c0) / ((System.nanoTime() - t0) / 1e9);
    }

    private static void check(BooleanSupplier alive) {
      if (!alive.getAsBoolean()) {
        throw new IllegalStateException("the streams app under measurement stopped; see the log");
      }
    }

    void steady(List<byte[]> values, int rate, int seconds, int swaps, PrintStream out) throws Exception {
      String topic = "bench.steady";
      kafka.createTopic(topic, partitions, Map.of());
      InferenceConfig c = config(topic, Map.of());
      LatencyReader reader = new LatencyReader(kafka.bootstrapServers(), c.getString(CommonKeys.PREDICTIONS_TOPIC));
      SteadyProducer producer = new SteadyProducer(kafka.bootstrapServers(), topic, values, rate);
      Thread readerThread = new Thread(reader, "bench-reader");
      Thread producerThread = new Thread(producer, "bench-producer");
      try (InferenceService s = new InferenceService(c)) {
        s.start();
        readerThread.start();
        producerThread.start();
        while (s.metrics().getPredictionsTotal() == 0) {
          Thread.sleep(10);
        }
        Thread.sleep(2_000); // warm-up
        reader.recording(true);
        LongSamples quietGaps = new LongSamples();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
          s.metrics().takeMaxGapNanos();
          Thread.sleep(500);
          quietGaps.add(s.metrics().takeMaxGapNanos());
        }
        reader.recording(false);
        long reportedP50 = reader.reported().percentile(0.5);
        long reportedP99 = reader.reported().percentile(0.99);
        long visibleP50 = reader.visible().percentile(0.5);
        long visibleP99 = reader.visible().percentile(0.99);
        int samples = reader.reported().size();

        LongSamples swapGaps = new LongSamples();
        LongSamples prepare = new LongSamples();
        for (int i = 0; i < swaps; i++) {
          long v = s.metrics().getServedVersion() + 1;
          ModelVersion next = RandomVersions.create(MODEL, v, FEATURES, LAYERS, v);
          s.metrics().takeMaxGapNanos();
          publisher.publish(next, "live");
          while (s.metrics().getServedVersion() != v) {
            Thread.sleep(1);
          }
          Thread.sleep(300);
          swapGaps.add(s.metrics().takeMaxGapNanos());
          prepare.add(s.served().current().prepareMicros());
          Thread.sleep(200);
        }
        long[] firsts = s.metrics().publicationToFirstPredictionMillis();
        LongSamples first = new LongSamples();
        for (int i = firsts.length - swaps; i < firsts.length; i++) {
          first.add(firsts[i]);
        }
        producer.stop();
        reader.stop();
        producerThread.join();
        readerThread.join();
        out.printf(Locale.ROOT, "%nSteady %d events/s for %d s (%d predictions read, read_committed,"
            + " commit.interval.ms=%d, default micro-batch settings: batch.max.size=%d, batch.linger.ms=%d)%n%n",
            rate, seconds, samples, c.getLong(InferenceConfig.COMMIT_INTERVAL_MS),
            c.getInt(InferenceConfig.BATCH_MAX_SIZE), c.getLong(InferenceConfig.BATCH_LINGER_MS));
        out.println("| latency | p50 ms | p99 ms | goal |");
        out.println("| --- | ---: | ---: | --- |");
        out.printf(Locale.ROOT, "| input appended -> prediction made (Prediction.latencyMicros) | %.1f | %.1f | p99 <= 20 |%n",
            reportedP50 / 1000.0, reportedP99 / 1000.0);
        out.printf(Locale.ROOT, "| input appended -> prediction read by a read_committed consumer | %.1f | %.1f | |%n",
            visibleP50 / 1000.0, visibleP99 / 1000.0);
        out.printf(Locale.ROOT, "%n%d swaps during the steady stream, one every ~0.5 s%n%n", swaps);
        out.println("| swap measure | p50 ms | p99 ms | max ms | goal |");
        out.println("| --- | ---: | ---: | ---: | --- |");
        out.printf(Locale.ROOT, "| prepare (decode, checksum, check, warm up) | %.1f | %.1f | %.1f | |%n",
            prepare.percentile(0.5) / 1000.0, prepare.percentile(0.99) / 1000.0, prepare.percentile(1) / 1000.0);
        out.printf(Locale.ROOT, "| publication -> first prediction with the new version | %d | %d | %d | p99 <= 500 |%n",
            first.percentile(0.5), first.percentile(0.99), first.percentile(1));
        out.printf(Locale.ROOT, "| largest gap between forward passes, 300 ms windows with a swap | %.1f | %.1f | %.1f | no pause |%n",
            swapGaps.percentile(0.5) / 1e6, swapGaps.percentile(0.99) / 1e6, swapGaps.percentile(1) / 1e6);
        out.printf(Locale.ROOT, "| largest gap between forward passes, 500 ms windows without | %.1f | %.1f | %.1f | |%n",
            quietGaps.percentile(0.5) / 1e6, quietGaps.percentile(0.99) / 1e6, quietGaps.percentile(1) / 1e6);
        log.info("steady run done: {} events sent", producer.sent());
      } finally {
        producer.stop();
        reader.stop();
      }
    }

    @Override
    public void close() {
      publisher.close();
    }
  }
}
