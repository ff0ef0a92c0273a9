package io.streamlearn.demo;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.app.OpsServer;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.dashboard.Dashboard;
import io.streamlearn.dashboard.DashboardFeed;
import io.streamlearn.dashboard.DashboardState;
import io.streamlearn.dashboard.LiveDashboard;
import io.streamlearn.data.Dataset;
import io.streamlearn.data.FashionMnist;
import io.streamlearn.data.Flights;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.Topics;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.serve.ServedModel;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.StreamGenerator;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerClock;
import io.streamlearn.train.TrainerConfig;
import io.streamlearn.train.TrainerSettings;
import io.streamlearn.train.TrainerStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything in one JVM: broker, producer of a generated stream or of Fashion-MNIST, trainer,
 * inference, the web dashboard, and a consumer of the predictions that checks every event gets
 * exactly one.
 */
public final class Demo {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);
  private static final String MODEL = "demo";

  private final DemoSettings settings;
  private final PrintStream out;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private final PredictionTally tally = new PredictionTally(1000);
  private final DashboardState dashboardState = new DashboardState(MODEL);
  private volatile DemoReplay producer;
  private volatile String dashboardUrl = "";
  private volatile String kafkaBootstrap = "";
  private volatile boolean consuming = true;

  /** A demo printing its progress to {@code out}. */
  public Demo(DemoConfig config, PrintStream out) {
    this.settings = config.settings();
    this.out = out;
  }

  /**
   * The broker on {@code port} when it is free, else on any free port with a line saying so (the
   * dashboard's port behaves the same); 0 takes any free port. The caller prints the address.
   */
  static EmbeddedKafka startBroker(int port, PrintStream out) {
    if (port != 0 && !EmbeddedKafka.isFree(port)) {
      out.println("port " + port + " is taken (another Kafka?); the demo's broker takes a free port");
      return EmbeddedKafka.startOnPort(0);
    }
    return EmbeddedKafka.startOnPort(port);
  }

  /** Makes {@link #run()} stop early (Ctrl-C). */
  public void requestStop() {
    stopRequested.countDown();
  }

  /** Runs the demo; returns its summary. */
  public Map<String, Object> run() throws Exception {
    long seed = settings.seed();
    boolean flights = settings.flights();
    DemoSource source = flights ? null : source(seed);
    List<byte[]> flightRecords = flights ? loadFlights() : null;
    out.println("streamlearn demo: starting an embedded Kafka broker ...");
    Path stateDir = Files.createTempDirectory("streamlearn-demo-state-");
    try (EmbeddedKafka kafka = startBroker(settings.kafkaPort(), out)) {
      kafkaBootstrap = kafka.bootstrapServers();
      out.println("Kafka at " + kafka.bootstrapServers() + "  (--bootstrap-servers "
          + kafka.bootstrapServers() + ")");
      out.println((flights ? "Flights replay as raw JSON (" + flightRecords.size() + " records, cycled; spec '"
          + Flights.SPEC + "', label " + Flights.LABEL + ")" : describe(source)) + " at " + settings.rate()
          + " events/s");
      Map<String, String> common = new HashMap<>();
      common.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      common.put(CommonKeys.MODEL_NAME, MODEL);
      common.put(CommonKeys.TOPIC_PARTITIONS, "3");
      TrainerConfig trainerConfig = new TrainerConfig(flights ? flightsTrainerSettings(common)
          : trainerSettings(common, source));
      Map<String, Object> client = KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of());
      EvaluationConfig evaluationConfig = new EvaluationConfig(evaluationSettings(common, stateDir));
      // the dashboard reads what the in-process evaluation writes: its topics come from its config
      DashboardFeed.Topics dashboardTopics = DashboardFeed.Topics.of(evaluationConfig);
      List<KafkaSupport.TopicSpec> topics = new ArrayList<>(dashboardTopics.specs(3));
      topics.add(KafkaSupport.eventTopic(Topics.DEAD_LETTER, 1));
      KafkaSupport.ensureTopics(client, (short) -1, topics);
      dashboardState.setClassNames(flights ? List.of("false", "true") : source.classNames());
      Map<String, String> serve = new HashMap<>(common);
      serve.put(InferenceConfig.APPLICATION_ID, "streamlearn-demo-inference");
      serve.put(InferenceConfig.STATE_DIR, stateDir.toString());
      if (flights) {
        // Inference reads the same raw topic, through the pipeline of the version that scores each record.
        serve.put(RawInputKeys.INPUT_FORMAT, "json");
        serve.put(InferenceConfig.INPUT_TOPICS, Topics.LABELED);
      }
      try (LiveDashboard live = LiveDashboard.start(dashboardState, client, dashboardTopics, false,
               Duration.ofSeconds(60));
           Dashboard.Server web = live.serve(settings.httpHost(), settings.httpPort(), Optional.empty());
           // the trainer's, inference's and the evaluation's meters on the dashboard's port: one /metrics for the demo
           OpsServer ops = new OpsServer("demo", web.routes());
           InferenceService inference = new InferenceService(new InferenceConfig(serve).settings(), ops);
           EvaluationService evaluation = new EvaluationService(evaluationConfig.settings(), ops)) {
        Trainer trainer = new Trainer(TrainerSettings.from(trainerConfig), TrainerClock.SYSTEM, ops);
        dashboardUrl = web.url();
        out.println("dashboard: " + dashboardUrl + "  (open it in a browser)");
        Thread trainerThread = start("trainer", trainer);
        inference.start();
        evaluation.start();
        producer = flights ? new FlightsReplay(kafka.bootstrapServers(), Topics.LABELED, flightRecords, settings.rate())
            : new DemoProducer(kafka.bootstrapServers(), source, settings.rate(), dashboardState);
        Thread producerThread = start("producer", producer);
        Thread consumer = start("predictions-reader", () -> consume(kafka.bootstrapServers()));
        long started = System.nanoTime();
        reportUntilDone(started, trainer, inference.served());
        producer.stop();
        producerThread.join();
        awaitCatchUp(trainer, inference.served(), started);
        trainer.stop();
        if (!trainer.awaitStopped(Duration.ofSeconds(60))) {
          log.warn("trainer did not stop within 60 s");
        }
        trainerThread.join(1000);
        consuming = false;
        consumer.join();
        EvaluationService.Served evaluated = awaitEvaluated(evaluation);
        Map<String, Object> summary = summary(trainer.status(), inference.served());
        summary.put("servedAccuracy", evaluated.accuracy());
        summary.put("leakedPredictions", evaluated.leaked());
        summary.put("evaluatedPredictions", evaluated.evaluated());
        return summary;
      }
    }
  }

  /** The evaluation service's settings: the demo's topics, its own application id and state. */
  private static Map<String, String> evaluationSettings(Map<String, String> common, Path stateDir) {
    Map<String, String> evaluate = new HashMap<>(common);
    evaluate.put(EvaluationConfig.APPLICATION_ID, "streamlearn-demo-evaluation");
    evaluate.put(EvaluationConfig.STATE_DIR, stateDir.toString());
    evaluate.put(EvaluationConfig.PUBLISH_INTERVAL_MS, "1000");
    return evaluate;
  }

  /**
   * The served figures once the evaluation has caught up with the last predictions: when two reads
   * a second apart agree, or after 30 s (then what it has).
   */
  private static EvaluationService.Served awaitEvaluated(EvaluationService evaluation) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    EvaluationService.Served last = evaluation.served(CommonKeys.DEFAULT_ALIAS);
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      EvaluationService.Served now = evaluation.served(CommonKeys.DEFAULT_ALIAS);
      if (now.equals(last) && now.evaluated() + now.leaked() > 0) {
        return now;
      }
      last = now;
    }
    log.warn("evaluation still moving after 30 s; reporting what it has");
    return last;
  }

  private DemoSource source(long seed) {
    double heldOut = settings.unlabeledShare();
    if (!settings.fashionMnist()) {
      return DemoSource.generated(
          StreamGenerator.named(settings.generator(), seed), heldOut, seed);
    }
    Path dir = Path.of(settings.dataDir());
    out.println("loading Fashion-MNIST from " + dir + " ...");
    long t0 = System.nanoTime();
    Dataset train = FashionMnist.load(dir, true);
    out.println(String.format(Locale.ROOT, "  %,d training images loaded (%.1f s)", train.rows(),
        (System.nanoTime() - t0) / 1e9));
    Dataset test = FashionMnist.load(dir, false);
    out.println(String.format(Locale.ROOT, "  %,d test images loaded (%.1f s); the test images are"
        + " held back as unlabeled events", test.rows(), (System.nanoTime() - t0) / 1e9));
    return DemoSource.replay(train, test, FASHION_CLASSES, heldOut, seed);
  }

  private List<byte[]> loadFlights() {
    Path file = Path.of(settings.flightsFile());
    out.println("loading Flights from " + file + " ...");
    return Flights.records(file);
  }

  /** The trainer over the raw Flights records: the feature spec and label of the Flights benches. */
  private Map<String, String> flightsTrainerSettings(Map<String, String> common) {
    Map<String, String> t = new HashMap<>(common);
    t.put(RawInputKeys.INPUT_FORMAT, "json");
    t.put(RawInputKeys.FEATURE_SPEC, Flights.SPEC);
    t.put(RawInputKeys.LABEL_FIELD, Flights.LABEL);
    t.put(TrainerConfig.LAYERS, settings.layers(2));
    t.put(TrainerConfig.LOSS, settings.layers(2).contains("sigmoid") ? "binary_cross_entropy" : "softmax_cross_entropy");
    t.put(TrainerConfig.OPTIMIZER, Flights.OPTIMIZER_KIND);
    t.put(TrainerConfig.LEARNING_RATE, String.valueOf(settings.learningRate()));
    t.put(TrainerConfig.BATCH_SIZE, String.valueOf(settings.batchSize()));
    t.put(TrainerConfig.PUBLISH_EVERY_BATCHES, String.valueOf(settings.publishEveryBatches()));
    t.put(TrainerConfig.PUBLISH_EVERY_MS, String.valueOf(settings.publishEveryMs()));
    t.put(TrainerConfig.SEED, String.valueOf(settings.seed()));
    return t;
  }

  private String describe(DemoSource source) {
    String what = settings.fashionMnist() ? "Fashion-MNIST replay"
        : "stream '" + settings.generator() + "'";
    return what + " (" + source.featureCount() + " features, " + source.classCount() + " classes)";
  }

  private Map<String, String> trainerSettings(Map<String, String> common, DemoSource source) {
    Map<String, String> t = new HashMap<>(common);
    t.put(TrainerConfig.FEATURES, String.valueOf(source.featureCount()));
    t.put(TrainerConfig.LAYERS, settings.layers(source.classCount()));
    t.put(TrainerConfig.LEARNING_RATE, String.valueOf(settings.learningRate()));
    t.put(TrainerConfig.BATCH_SIZE, String.valueOf(settings.batchSize()));
    t.put(TrainerConfig.PUBLISH_EVERY_BATCHES, String.valueOf(settings.publishEveryBatches()));
    t.put(TrainerConfig.PUBLISH_EVERY_MS, String.valueOf(settings.publishEveryMs()));
    t.put(TrainerConfig.SEED, String.valueOf(settings.seed()));
    return t;
  }

  private void reportUntilDone(long started, Trainer trainer, ServedModel served) throws InterruptedException {
    long duration = settings.durationSeconds();
    long interval = settings.progressIntervalMs();
    long lastProduced = 0;
    long lastNanos = started;
    while (true) {
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      long wait = interval;
      if (duration > 0) {
        wait = Math.min(wait, duration * 1000 - elapsedMs);
      }
      if (wait <= 0 || stopRequested.await(wait, TimeUnit.MILLISECONDS)) {
        return;
      }
      long now = System.nanoTime();
      long p = produced();
      double rate = (p - lastProduced) * 1e9 / (now - lastNanos);
      lastProduced = p;
      lastNanos = now;
      out.println(progressLine(now - started, rate, trainer.status(), served));
    }
  }

  private String progressLine(long elapsedNanos, double rate, TrainerStatus t, ServedModel served) {
    ServedModel.Current current = served.current();
    return String.format(Locale.ROOT,
        "[%5.1fs] events %,d (%,.0f/s) | predictions %,d | %s | prequential accuracy"
            + " (last 1000) %s | trainer: %s, %,d trained, accuracy %s | dead letters %d",
        elapsedNanos / 1e9, produced(), rate, tally.predictions(),
        current == null ? "no model yet" : "live version " + current.version().version(), fmt(tally.accuracy()),
        t.lastVersion() > 0 ? "v" + t.lastVersion() : "no version yet", t.examplesTrained(),
        fmt(t.prequentialAccuracy()), t.deadLetters());
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  /** Waits until every produced event has a prediction, or 60 s. */
  private void awaitCatchUp(Trainer trainer, ServedModel served, long started) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long interval = settings.progressIntervalMs() * 1_000_000;
    long nextLine = System.nanoTime() + interval;
    while (tally.distinct() < produced() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      if (System.nanoTime() >= nextLine) {
        out.println(String.format(Locale.ROOT, "catching up: %,d of %,d events have a prediction",
            tally.distinct(), produced()));
        nextLine += interval;
      }
    }
    out.println(progressLine(System.nanoTime() - started, 0, trainer.status(), served));
    if (tally.distinct() < produced()) {
      out.println("warning: " + (produced() - tally.distinct()) + " events have no prediction yet");
    }
  }

  private void consume(String bootstrap) {
    AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "streamlearn-demo-reader");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, byte[]> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.PREDICTIONS));
      while (consuming) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          tally.add(serde.deserialize(r.topic(), r.value()), r.partition());
        }
      }
    }
  }

  private long produced() {
    DemoReplay p = producer;
    return p == null ? 0 : p.produced();
  }

  /** The dashboard's state, for tests. */
  DashboardState dashboardState() {
    return dashboardState;
  }

  private Map<String, Object> summary(TrainerStatus t, ServedModel served) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("eventsProduced", produced());
    s.put("predictions", tally.predictions());
    s.put("distinctPredictedEvents", tally.distinct());
    s.put("duplicatePredictions", tally.duplicates());
    s.put("versionsGoingBackOnAPartition", tally.versionsGoingBack());
    s.put("versionsPublished", t.publishedVersions());
    ServedModel.Current current = served.current();
    s.put("liveVersion", current == null ? 0 : current.version().version());
    s.put("swaps", served.swaps());
    s.put("prequentialAccuracy", tally.accuracy());
    s.put("trainerPrequentialAccuracy", t.prequentialAccuracy());
    s.put("examplesTrained", t.examplesTrained());
    s.put("deadLetters", t.deadLetters());
    s.put("dataset", settings.dataset());
    Object heldOut = ((Map<?, ?>) dashboardState.snapshot().get("totals")).get("heldOutAccuracy");
    s.put("heldOutAccuracy", heldOut instanceof Double d && d >= 0 ? d : Double.NaN);
    s.put("dashboardUrl", dashboardUrl);
    s.put("kafkaBootstrapServers", kafkaBootstrap);
    return s;
  }

  /** The summary as JSON. */
  public static String toJson(Map<String, Object> summary) {
    List<String> fields = new ArrayList<>();
    summary.forEach((k, v) -> fields.add("  \"" + k + "\": " + jsonValue(v)));
    return "{\n" + String.join(",\n", fields) + "\n}\n";
  }

  private static String jsonValue(Object v) {
    if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return "null";
    }
    if (v instanceof String str) {
      return "\"" + str.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    return String.valueOf(v);
  }

  /** Writes the summary to the configured file, if any. */
  public void writeSummary(Map<String, Object> summary) throws IOException {
    String file = settings.summaryJson();
    if (!file.isBlank()) {
      Files.writeString(Path.of(file), toJson(summary));
      out.println("summary written to " + file);
    }
  }

  private static Thread start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
