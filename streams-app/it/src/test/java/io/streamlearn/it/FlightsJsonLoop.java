package io.streamlearn.it;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The raw-JSON loop the examples' READMEs start, in the test's JVM on an embedded broker: a
 * trainer of model {@code flights} over plain JSON flights with the READMEs' feature spec and
 * label, and inference scoring the same topic with each version's pipeline. {@link #trainFirstVersion}
 * replays synthetic flights until inference serves a version, so an example's records are scored
 * by a real model.
 */
final class FlightsJsonLoop implements AutoCloseable {
  /** The feature spec of examples/java/README.md and examples/python/README.md. */
  static final String SPEC = "distance:numeric, origin:category(500), destination:hash(4096), "
      + "date:time(\"yyyy/MM/dd HH:mm\", hour, weekday)";
  /** The READMEs' label: delayed more than 15 minutes, classes "false" (0) and "true" (1). */
  static final String LABEL = "delay>15";
  /** The READMEs' network. */
  static final String LAYERS = "dense(16,relu) > dense(2,softmax)";
  static final String MODEL = "flights";
  private static final String[] AIRPORTS = {"DTW", "LAS", "OAK", "SFO", "LAX", "ORD", "JFK", "ATL"};

  private final LoopHarness h;
  private final Trainer trainer;
  private final Thread trainerThread;
  private final InferenceService inference;

  private FlightsJsonLoop(EmbeddedKafka kafka) throws Exception {
    h = new LoopHarness(kafka, MODEL);
    h.createTopics();
    Map<String, String> trainerExtra = new HashMap<>(Map.of(
        RawInputKeys.INPUT_FORMAT, "json",
        RawInputKeys.FEATURE_SPEC, SPEC,
        RawInputKeys.LABEL_FIELD, LABEL,
        TrainerConfig.BATCH_SIZE, "32",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "10",
        TrainerConfig.DRIFT_DETECTOR, "none"));
    trainer = new Trainer(h.trainerConfig(0, LAYERS, trainerExtra));
    trainerThread = new Thread(trainer, "flights-json-trainer");
    // As `serve --input-format json --input-topic <topic>`: no spec or label, the version carries them.
    inference = new InferenceService(h.inferenceConfig(Map.of(
        RawInputKeys.INPUT_FORMAT, "json",
        InferenceConfig.INPUT_TOPICS, topic())));
    trainerThread.start();
    inference.start();
  }

  /** Starts the trainer and inference on {@code kafka}'s topics of a fresh {@link LoopHarness}. */
  static FlightsJsonLoop start(EmbeddedKafka kafka) throws Exception {
    return new FlightsJsonLoop(kafka);
  }

  /** The topic of the raw JSON records both read (the examples' {@code --topic}). */
  String topic() {
    return h.topic(CommonKeys.LABELED_TOPIC);
  }

  String predictionsTopic() {
    return h.topic(CommonKeys.PREDICTIONS_TOPIC);
  }

  /**
   * Replays {@code count} synthetic flights (seeded; later airports and evening hours delayed more
   * often) and waits until inference serves a version.
   */
  void trainFirstVersion(int count, long seed) throws Exception {
    Random random = new Random(seed);
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(h.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        int o = random.nextInt(AIRPORTS.length);
        int hour = random.nextInt(24);
        double pDelayed = 0.05 + 0.05 * o + (hour >= 17 ? 0.15 : 0.0);
        int delay = random.nextDouble() < pDelayed ? 16 + random.nextInt(90) : random.nextInt(16) - 5;
        String json = String.format(Locale.ROOT,
            "{\"date\": \"2001/01/%02d %02d:%02d\", \"delay\": %d, \"distance\": %d, \"origin\": \"%s\", "
                + "\"destination\": \"%s\"}",
            1 + i * 28 / count, hour, random.nextInt(60), delay, 150 + random.nextInt(2500), AIRPORTS[o],
            AIRPORTS[random.nextInt(AIRPORTS.length)]);
        producer.send(new ProducerRecord<>(topic(), "fl-" + i, json.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    LoopHarness.await(() -> inference.served().current() != null, Duration.ofSeconds(120),
        () -> "inference serves a first version of " + MODEL);
  }

  /** The registry's record of {@code flights} version {@code version}. */
  ModelVersion version(long version) {
    RegistryState registry = RegistryReader.read(h.clientProps(), h.topic(CommonKeys.MODELS_TOPIC),
        Duration.ofSeconds(30));
    ModelVersion v = registry.versions(MODEL).get(version);
    if (v == null) {
      throw new AssertionError("no version " + version + " of " + MODEL + " in " + registry.versions(MODEL).keySet());
    }
    return v;
  }

  /** The pipeline frozen into {@code version}. */
  FrozenPipeline pipeline(long version) {
    return FrozenPipeline.parse(version(version).featurePipeline());
  }

  /** The value of the record keyed {@code key} on the input topic, as its bytes' UTF-8 text. */
  String recordValue(String key) {
    try (KafkaConsumer<String, byte[]> c = h.committedReader(topic())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (key.equals(r.key())) {
            return new String(r.value(), StandardCharsets.UTF_8);
          }
        }
      }
    }
    throw new AssertionError("no record keyed " + key + " on " + topic());
  }

  @Override
  public void close() throws Exception {
    try {
      trainer.stop();
      if (!trainer.awaitStopped(Duration.ofSeconds(60))) {
        throw new AssertionError("the trainer did not stop within 60 s");
      }
    } finally {
      inference.close();
    }
  }
}
