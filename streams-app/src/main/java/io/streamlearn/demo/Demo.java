package io.streamlearn.demo;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.Topics;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.serve.ServedModel;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.StreamGenerator;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import io.streamlearn.train.TrainerStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything in one JVM: broker, producer of a generated stream, trainer, inference, and a
 * consumer of the predictions that checks every event gets exactly one.
 */
public final class Demo {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);
  private static final String MODEL = "demo";

  private final DemoConfig config;
  private final PrintStream out;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final AtomicLong produced = new AtomicLong();
  private final PredictionTally tally = new PredictionTally(1000);
  private volatile boolean producing = true;
  private volatile boolean consuming = true;

  /** A demo printing its progress to {@code out}. */
  public Demo(DemoConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** Makes {@link #run()} stop early (Ctrl-C). */
  public void requestStop() {
    stopRequested.countDown();
  }

  /** Runs the demo; returns its summary. */
  public Map<String, Object> run() throws Exception {
    long seed = config.getLong(DemoConfig.SEED);
    StreamGenerator generator = StreamGenerator.named(config.getString(DemoConfig.GENERATOR), seed);
    out.println("streamlearn demo: starting an embedded Kafka broker ...");
    Path stateDir = Files.createTempDirectory("streamlearn-demo-state-");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      out.println("broker on " + kafka.bootstrapServers() + "; stream '"
          + config.getString(DemoConfig.GENERATOR) + "' (" + generator.featureCount() + " features, "
          + generator.classCount() + " classes) at " + config.getInt(DemoConfig.RATE) + " events/s");
      Map<String, String> common = new HashMap<>();
      common.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      common.put(CommonKeys.MODEL_NAME, MODEL);
      common.put(CommonKeys.TOPIC_PARTITIONS, "3");
      Trainer trainer = new Trainer(new TrainerConfig(trainerSettings(common, generator)));
      Map<String, String> serve = new HashMap<>(common);
      serve.put(InferenceConfig.APPLICATION_ID, "streamlearn-demo-inference");
      serve.put(InferenceConfig.STATE_DIR, stateDir.toString());
      try (InferenceService inference = new InferenceService(new InferenceConfig(serve))) {
        Thread trainerThread = start("trainer", trainer);
        inference.start();
        Thread producer = start("producer", () -> produce(kafka.bootstrapServers(), generator, seed));
        Thread consumer = start("predictions-reader", () -> consume(kafka.bootstrapServers()));
        long started = System.nanoTime();
        reportUntilDone(started, trainer, inference.served());
        producing = false;
        producer.join();
        awaitCatchUp(trainer, inference.served(), started);
        trainer.stop();
        if (!trainer.awaitStopped(Duration.ofSeconds(60))) {
          log.warn("trainer did not stop within 60 s");
        }
        trainerThread.join(1000);
        consuming = false;
        consumer.join();
        return summary(trainer.status(), inference.served());
      }
    }
  }

  private Map<String, String> trainerSettings(Map<String, String> common, StreamGenerator g) {
    Map<String, String> t = new HashMap<>(common);
    t.put(TrainerConfig.FEATURES, String.valueOf(g.featureCount()));
    t.put(TrainerConfig.LAYERS, config.getString(DemoConfig.LAYERS).replace("K", String.valueOf(g.classCount())));
    t.put(TrainerConfig.LEARNING_RATE, String.valueOf(config.getDouble(DemoConfig.LEARNING_RATE)));
    t.put(TrainerConfig.BATCH_SIZE, String.valueOf(config.getInt(DemoConfig.BATCH_SIZE)));
    t.put(TrainerConfig.PUBLISH_EVERY_BATCHES, String.valueOf(config.getInt(DemoConfig.PUBLISH_EVERY_BATCHES)));
    t.put(TrainerConfig.PUBLISH_EVERY_MS, String.valueOf(config.getLong(DemoConfig.PUBLISH_EVERY_MS)));
    t.put(TrainerConfig.SEED, String.valueOf(config.getLong(DemoConfig.SEED)));
    return t;
  }

  private void reportUntilDone(long started, Trainer trainer, ServedModel served) throws InterruptedException {
    long duration = config.getLong(DemoConfig.DURATION);
    long interval = config.getLong(DemoConfig.PROGRESS_INTERVAL_MS);
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
      long p = produced.get();
      double rate = (p - lastProduced) * 1e9 / (now - lastNanos);
      lastProduced = p;
      lastNanos = now;
      out.println(progressLine(now - started, rate, trainer.status(), served));
    }
  }

  private String progressLine(long elapsedNanos, double rate, TrainerStatus t, ServedModel served) {
    ServedModel.Current current = served.current();
    return String.format(Locale.ROOT,
        "[%5.1fs] events %,d (%,.0f/s) | predictions %,d | live version %s | prequential accuracy"
            + " (last 1000) %s | trainer: v%d, %,d trained, accuracy %s | dead letters %d",
        elapsedNanos / 1e9, produced.get(), rate, tally.predictions(),
        current == null ? "none" : current.version().version(), fmt(tally.accuracy()),
        t.lastVersion(), t.examplesTrained(), fmt(t.prequentialAccuracy()), t.deadLetters());
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  /** Waits until every produced event has a prediction, or 60 s. */
  private void awaitCatchUp(Trainer trainer, ServedModel served, long started) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (tally.distinct() < produced.get() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    out.println(progressLine(System.nanoTime() - started, 0, trainer.status(), served));
    if (tally.distinct() < produced.get()) {
      out.println("warning: " + (produced.get() - tally.distinct()) + " events have no prediction yet");
    }
  }

  private void produce(String bootstrap, StreamGenerator generator, long seed) {
    AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
    AvroSerde<FeatureEvent> unlabeled = AvroSerde.of(FeatureEvent.class);
    SplittableRandom random = new SplittableRandom(seed + 1);
    double unlabeledShare = config.getDouble(DemoConfig.UNLABELED_SHARE);
    int rate = config.getInt(DemoConfig.RATE);
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      long started = System.nanoTime();
      long n = 0;
      while (producing) {
        long due = started + n * 1_000_000_000L / rate;
        long sleep = due - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
        Example e = generator.next();
        String id = "e-" + n;
        List<Float> x = boxed(e.features());
        Instant now = Instant.now();
        ProducerRecord<String, byte[]> record = random.nextDouble() < unlabeledShare
            ? new ProducerRecord<>(Topics.FEATURES, id, unlabeled.serialize(Topics.FEATURES,
                new FeatureEvent(id, now, x)))
            : new ProducerRecord<>(Topics.LABELED, id, labeled.serialize(Topics.LABELED,
                new LabeledEvent(id, now, x, e.label())));
        producer.send(record);
        n++;
        produced.set(n);
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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

  private Map<String, Object> summary(TrainerStatus t, ServedModel served) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("eventsProduced", produced.get());
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
    return s;
  }

  /** The summary as JSON. */
  public static String toJson(Map<String, Object> summary) {
    List<String> fields = new ArrayList<>();
    summary.forEach((k, v) -> fields.add("  \"" + k + "\": " + (v instanceof Double d && d.isNaN()
        ? "null" : v)));
    return "{\n" + String.join(",\n", fields) + "\n}\n";
  }

  /** Writes the summary to the configured file, if any. */
  public void writeSummary(Map<String, Object> summary) throws IOException {
    String file = config.getString(DemoConfig.SUMMARY_JSON);
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

  private static List<Float> boxed(float[] x) {
    List<Float> out = new ArrayList<>(x.length);
    for (float v : x) {
      out.add(v);
    }
    return out;
  }
}
