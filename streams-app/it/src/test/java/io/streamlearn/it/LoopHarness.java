package io.streamlearn.it;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.Prediction;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.StreamGenerator;
import io.streamlearn.train.TrainerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
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

/** Shared plumbing of the end-to-end tests: unique topics, producing a stream, reading predictions. */
final class LoopHarness {
  final EmbeddedKafka kafka;
  final String suffix = UUID.randomUUID().toString().substring(0, 8);
  final Map<String, String> common = new HashMap<>();

  LoopHarness(EmbeddedKafka kafka, String model) {
    this.kafka = kafka;
    common.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    common.put(CommonKeys.MODEL_NAME, model);
    for (String key : List.of(CommonKeys.LABELED_TOPIC, CommonKeys.FEATURES_TOPIC,
        CommonKeys.PREDICTIONS_TOPIC, CommonKeys.MODELS_TOPIC, CommonKeys.METRICS_TOPIC,
        CommonKeys.DEAD_LETTER_TOPIC)) {
      common.put(key, key.replace(".topic", "") + "-" + suffix);
    }
    common.put(CommonKeys.TOPIC_PARTITIONS, "3");
    if (kafka.security() != null) {
      kafka.security().clientProperties().forEach((k, v) -> common.put("kafka." + k, v.toString()));
    }
  }

  /**
   * Properties of the test's input producers: ordered (one request in flight), acks=all and
   * patient, but not idempotent. Kafka 4.3's idempotent producer was seen to restart a partition's
   * sequence at 0 after a NOT_LEADER_OR_FOLLOWER answer and then retry OUT_OF_ORDER_SEQUENCE_NUMBER
   * forever, losing the test's input; without idempotence a duplicate would need an applied write
   * whose response never came within two minutes.
   */
  Map<String, Object> producerProps() {
    Map<String, Object> props = clientProps();
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    return props;
  }

  /** Properties of the test's own clients: bootstrap servers and, on a secured broker, the app user. */
  Map<String, Object> clientProps() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    if (kafka.security() != null) {
      props.putAll(kafka.security().clientProperties());
    }
    return props;
  }

  /** Creates every topic of the loop as the apps would, so clients never race their creation. */
  void createTopics() {
    io.streamlearn.app.KafkaSupport.ensureTopics(kafka.clientProperties(), (short) 1, List.of(
        io.streamlearn.app.KafkaSupport.eventTopic(topic(CommonKeys.LABELED_TOPIC), 3),
        io.streamlearn.app.KafkaSupport.eventTopic(topic(CommonKeys.FEATURES_TOPIC), 3),
        io.streamlearn.app.KafkaSupport.eventTopic(topic(CommonKeys.PREDICTIONS_TOPIC), 3),
        io.streamlearn.app.KafkaSupport.eventTopic(topic(CommonKeys.METRICS_TOPIC), 1),
        io.streamlearn.app.KafkaSupport.deadLetterTopic(topic(CommonKeys.DEAD_LETTER_TOPIC)),
        io.streamlearn.app.KafkaSupport.registryTopic(topic(CommonKeys.MODELS_TOPIC))));
  }

  String topic(String key) {
    return common.get(key);
  }

  TrainerConfig trainerConfig(int features, String layers, Map<String, String> extra) {
    Map<String, String> t = new HashMap<>(common);
    t.put(TrainerConfig.FEATURES, String.valueOf(features));
    t.put(TrainerConfig.LAYERS, layers);
    t.put(TrainerConfig.LEARNING_RATE, "0.01");
    // Versions by batch count only, as the tests configure them: a run does not depend on its speed.
    t.put(TrainerConfig.PUBLISH_MIN_INTERVAL_MS, "0");
    t.putAll(extra);
    return new TrainerConfig(t);
  }

  InferenceConfig inferenceConfig(Map<String, String> extra) throws Exception {
    Map<String, String> s = new HashMap<>(common);
    s.put(InferenceConfig.APPLICATION_ID, "it-inference-" + suffix);
    s.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("it-streams-").toString());
    s.putAll(extra);
    return new InferenceConfig(s);
  }

  /**
   * The evaluation app's settings over this loop's topics, with topics and an application id of its
   * own (labels, evaluations, served metrics) and a fresh state directory; {@code extra} on top.
   * Mutable, for a test to add to.
   */
  Map<String, String> evaluationSettings(Map<String, String> extra) throws IOException {
    Map<String, String> e = new HashMap<>(common);
    e.put(CommonKeys.LABELS_TOPIC, "labels-" + suffix);
    e.put(EvaluationConfig.EVALUATIONS_TOPIC, "evaluations-" + suffix);
    e.put(EvaluationConfig.SERVED_METRICS_TOPIC, "served-" + suffix);
    e.put(EvaluationConfig.APPLICATION_ID, "it-evaluation-" + suffix);
    e.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("it-evaluation-").toString());
    e.putAll(extra);
    return e;
  }

  /**
   * Produces {@code count} events from the generator, every {@code unlabeledEvery}-th as a
   * FeatureEvent, at about {@code perSecond}; returns their ids.
   */
  List<String> produce(StreamGenerator generator, int from, int count, int unlabeledEvery, int perSecond)
      throws Exception {
    AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
    AvroSerde<FeatureEvent> unlabeled = AvroSerde.of(FeatureEvent.class);
    List<String> ids = new ArrayList<>();
    java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
    org.apache.kafka.clients.producer.Callback check = (metadata, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
    };
    Map<String, Object> props = producerProps();
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      long started = System.nanoTime();
      for (int i = from; i < from + count; i++) {
        long due = started + (long) (i - from) * 1_000_000_000L / perSecond;
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
          Thread.sleep(wait / 1_000_000);
        }
        Example e = generator.next();
        String id = "ev-" + i;
        List<Float> x = FloatLists.boxed(e.features());
        if (unlabeledEvery > 0 && i % unlabeledEvery == 0) {
          producer.send(new ProducerRecord<>(topic(CommonKeys.FEATURES_TOPIC), id,
              unlabeled.serialize(null, new FeatureEvent(id, Instant.now(), x))), check);
        } else {
          producer.send(new ProducerRecord<>(topic(CommonKeys.LABELED_TOPIC), id,
              labeled.serialize(null, new LabeledEvent(id, Instant.now(), x, e.label()))), check);
        }
        ids.add(id);
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new AssertionError("the test's producer lost events: " + failure.get(), failure.get());
    }
    return ids;
  }

  /** A prediction as read, with where it was read from. */
  record Read(Prediction prediction, int partition, long offset) {}

  /** A read_committed consumer of the predictions topic from the beginning. */
  KafkaConsumer<String, byte[]> predictionsConsumer() {
    return committedReader(topic(CommonKeys.PREDICTIONS_TOPIC));
  }

  /** A consumer of a topic's committed records from its start, in a group of its own. */
  KafkaConsumer<String, byte[]> committedReader(String topic) {
    Map<String, Object> props = clientProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /** Polls into {@code out} until {@code done} or the timeout. */
  static void pollUntil(KafkaConsumer<String, byte[]> consumer, List<Read> out, BooleanSupplier done,
                        Duration timeout) {
    AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        out.add(new Read(serde.deserialize(r.topic(), r.value()), r.partition(), r.offset()));
      }
    }
  }

  /** Waits for a condition, failing with {@code message} after the timeout. */
  static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> message)
      throws InterruptedException {
    io.streamlearn.testkit.Await.until(condition, timeout, message);
  }

  static Path tempDir(String prefix) throws Exception {
    return Files.createTempDirectory(prefix);
  }
}
