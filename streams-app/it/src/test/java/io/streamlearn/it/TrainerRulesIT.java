package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabelEvent;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The trainer's stream rules on a real broker: delayed labels, the NaN rollback and the pace of versions. */
class TrainerRulesIT extends BrokerIT {
  private static final double HOLDOUT = 0.1;
  private static final long BASE_TIME = 1_700_000_000_000L;

  @Test
  void delayedLabelsAreJoinedByIdAndTrainedOnOnce() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "late");
    String labelsTopic = "labels-" + h.suffix;
    kafka.createTopic(h.topic(CommonKeys.FEATURES_TOPIC), 3, Map.of());
    kafka.createTopic(labelsTopic, 3, Map.of());
    int events = 3_000;
    GaussianBlobs blobs = new GaussianBlobs(3, 6, 3, 0.0);
    AvroSerde<FeatureEvent> featureSerde = AvroSerde.of(FeatureEvent.class);
    AvroSerde<LabelEvent> labelSerde = AvroSerde.of(LabelEvent.class);
    List<Example> examples = new ArrayList<>();
    long expectedTrained = 0;
    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int i = 0; i < events; i++) {
        Example e = blobs.next();
        examples.add(e);
        String id = "late-" + i;
        producer.send(new ProducerRecord<>(h.topic(CommonKeys.FEATURES_TOPIC), id, featureSerde.serialize(null,
            new FeatureEvent(id, Instant.ofEpochMilli(BASE_TIME + 10L * i), FloatLists.boxed(e.features())))));
        if (i % 10 != 0 && !HoldOut.isHeldOut(id, HOLDOUT)) {
          expectedTrained++;
        }
      }
      // The labels come later: every tenth example never gets one, two labels are invalid.
      for (int i = 0; i < events; i++) {
        if (i % 10 != 0) {
          String id = "late-" + i;
          producer.send(new ProducerRecord<>(labelsTopic, id, labelSerde.serialize(null,
              new LabelEvent(id, Instant.ofEpochMilli(BASE_TIME + 10L * i + 5), examples.get(i).label()))));
        }
      }
      producer.send(new ProducerRecord<>(labelsTopic, "junk", new byte[] {1, 2, 3}));
      producer.send(new ProducerRecord<>(labelsTopic, "late-out-of-range", labelSerde.serialize(null,
          new LabelEvent("late-out-of-range", Instant.ofEpochMilli(BASE_TIME), 7))));
    }
    Map<String, String> extra = new HashMap<>(Map.of(TrainerConfig.CHECKPOINT_TOPIC, "trainer-state-" + h.suffix,
        TrainerConfig.DELAYED_LABELS, "true", TrainerConfig.LABELS_TOPIC, labelsTopic,
        TrainerConfig.LABEL_WINDOW_MS, "2000", TrainerConfig.PUBLISH_EVERY_MS, "300",
        TrainerConfig.GATE_MARGIN, "1"));
    Trainer trainer = new Trainer(h.trainerConfig(6, "dense(8,relu) > dense(3,softmax)", extra));
    Thread thread = new Thread(trainer, "late-trainer");
    thread.start();
    long expected = expectedTrained;
    try {
      LoopHarness.await(() -> !thread.isAlive() || trainer.status().examplesTrained() >= expected
              && trainer.status().lastVersion() > 0 && latestSeen(h, "late") >= expected,
          Duration.ofSeconds(120), () -> "examples trained " + trainer.status() + ", expected " + expected);
      assertTrue(thread.isAlive(), "the trainer is still running: " + trainer.status());
      assertEquals(2, trainer.status().deadLetters(), "the two invalid labels are dead letters");
      // 300 examples never get a label; those more than the window before the labels' watermark expire.
      long dropped = trainer.status().labelsDroppedUnmatched();
      assertTrue(dropped >= 250 && dropped <= 300, "unmatched examples dropped: " + dropped);
    } finally {
      trainer.stop();
      assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer stops");
    }
    RegistryState registry = registry(h);
    long trained = 0;
    Set<String> topics = new HashSet<>();
    for (ModelVersion v : registry.versions("late").values()) {
      trained += v.lineage().examplesSinceParent();
      v.lineage().ranges().forEach(r -> topics.add(r.topic()));
    }
    assertEquals(expected, trained, "examples over the lineage = labeled pairs not held out");
    assertEquals(Set.of(h.topic(CommonKeys.FEATURES_TOPIC), labelsTopic), topics, "topics in the lineage");
  }

  @Test
  void aNonFiniteLossRollsBackDeadLettersTheBatchAndNeverPublishesPoison() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "nan");
    h.common.put(CommonKeys.TOPIC_PARTITIONS, "1");
    kafka.createTopic(h.topic(CommonKeys.LABELED_TOPIC), 1, Map.of());
    AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
    GaussianBlobs blobs = new GaussianBlobs(4, 8, 9, 0.0);
    List<String> ids = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int i = 0; i < 4_000; i++) {
        Example e = blobs.next();
        float[] x = e.features();
        if (i >= 2_000 && i < 2_010) {
          java.util.Arrays.fill(x, Float.MAX_VALUE); // finite, so it passes the input checks, but overflows
        }
        String id = "nan-" + i;
        ids.add(id);
        producer.send(new ProducerRecord<>(h.topic(CommonKeys.LABELED_TOPIC), id,
            serde.serialize(null, new LabeledEvent(id, Instant.now(), FloatLists.boxed(x), e.label()))));
      }
    }
    Trainer trainer = new Trainer(h.trainerConfig(8, "dense(16,relu) > dense(4,softmax)", Map.of(
        TrainerConfig.CHECKPOINT_TOPIC, "trainer-state-" + h.suffix, TrainerConfig.CHECKPOINT_EVERY_BATCHES, "5",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.PUBLISH_EVERY_MS, "300")));
    Thread thread = new Thread(trainer, "nan-trainer");
    thread.start();
    Set<String> deadLettered = new HashSet<>();
    try (TrainingHistory history = new TrainingHistory(kafka, h.topic(CommonKeys.METRICS_TOPIC));
         KafkaConsumer<String, byte[]> dlq = h.committedReader(h.topic(CommonKeys.DEAD_LETTER_TOPIC))) {
      LoopHarness.await(() -> {
        history.poll();
        for (ConsumerRecord<String, byte[]> r : dlq.poll(Duration.ofMillis(100))) {
          assertTrue(DeadLetters.header(r.headers(), DeadLetters.REASON).contains("not finite"),
              "dead letter reason: " + DeadLetters.header(r.headers(), DeadLetters.REASON));
          deadLettered.add(r.key());
        }
        long expected = ids.stream().filter(id -> !HoldOut.isHeldOut(id, HOLDOUT) && !deadLettered.contains(id)).count();
        return !deadLettered.isEmpty() && latestSeen(h, "nan") == expected;
      }, Duration.ofSeconds(120), () -> "the last version has seen every example not held out or dead-lettered; "
          + trainer.status() + ", dead letters " + deadLettered.size());
      assertTrue(history.all().stream().anyMatch(e -> e.getType() == TrainingEventType.ALERT),
          "an ALERT record in the history");
      for (int i = 2_000; i < 2_010; i++) {
        assertTrue(deadLettered.contains("nan-" + i) || HoldOut.isHeldOut("nan-" + i, HOLDOUT),
            "poisoned event nan-" + i + " is dead-lettered (or held out); dead letters " + deadLettered.size());
      }
      assertTrue(deadLettered.size() <= 2 * 64, "only the poisoned batch is dead-lettered, found "
          + deadLettered.size());
    } finally {
      trainer.stop();
      assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer stops");
    }
    LineageAudit audit = LineageAudit.of(registry(h), "nan");
    audit.versions().forEach(ModelVersion::verifyChecksum); // every published weight is finite
    assertEquals(ids.size(), audit.covered(), "offsets covered by the lineage");
  }

  @Test
  void versionsComeNoCloserTogetherThanTheMinimumInterval() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "pace");
    h.common.put(CommonKeys.TOPIC_PARTITIONS, "1");
    kafka.createTopic(h.topic(CommonKeys.LABELED_TOPIC), 1, Map.of());
    int events = 40_000;
    long minIntervalMs = 700;
    // A candidate every 2 batches would be ~280 versions for this stream without the limit.
    Trainer trainer = new Trainer(h.trainerConfig(8, "dense(16,relu) > dense(4,softmax)", Map.of(
        TrainerConfig.CHECKPOINT_TOPIC, "trainer-state-" + h.suffix, TrainerConfig.PUBLISH_EVERY_BATCHES, "2",
        TrainerConfig.PUBLISH_MIN_INTERVAL_MS, String.valueOf(minIntervalMs), TrainerConfig.GATE_MARGIN, "1")));
    Thread thread = new Thread(trainer, "pace-trainer");
    long started = System.nanoTime();
    thread.start();
    try {
      // The stream lasts 2.5 s however fast the trainer is, so several intervals pass while it trains:
      // a pre-filled topic let a fast trainer read everything before the first interval ended.
      h.produce(new GaussianBlobs(4, 8, 3, 0.0), 0, events, 0, 16_000);
      LoopHarness.await(() -> !thread.isAlive() || trainer.status().eventsConsumed() >= events,
          Duration.ofSeconds(120), () -> "the trainer consumes the stream: " + trainer.status());
    } finally {
      trainer.stop();
      assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer stops");
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    List<ModelVersion> versions = new ArrayList<>(registry(h).versions("pace").values());
    assertTrue(versions.size() >= 2, "versions published: " + versions.size());
    // The last version (at shutdown) is not limited; every other one waits out the interval.
    for (int i = 1; i < versions.size() - 1; i++) {
      long gap = Duration.between(versions.get(i - 1).createdAt(), versions.get(i).createdAt()).toMillis();
      assertTrue(gap >= minIntervalMs - 50, versions.get(i).key() + " came " + gap + " ms after the one before");
    }
    assertTrue(versions.size() <= seconds * 1000 / minIntervalMs + 2, versions.size() + " versions in "
        + seconds + " s");
  }

  private static long latestSeen(LoopHarness h, String model) {
    return registry(h).latest(model).map(v -> v.lineage().examplesSeen()).orElse(-1L);
  }

  private static RegistryState registry(LoopHarness h) {
    return RegistryReader.read(KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of()),
        h.topic(CommonKeys.MODELS_TOPIC), Duration.ofSeconds(30));
  }

  /** A producer that fails the test on a lost send (the shared machine can be slow enough to time out). */
  private static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000),
        new StringSerializer(), new ByteArraySerializer()) {
      private final List<java.util.concurrent.Future<?>> sent = new ArrayList<>();

      @Override
      public java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
          ProducerRecord<String, byte[]> record) {
        var f = super.send(record);
        sent.add(f);
        return f;
      }

      @Override
      public void close() {
        flush();
        try {
          for (var f : sent) {
            f.get();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while checking sends", e);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new AssertionError("a test record was not produced: " + e.getCause(), e.getCause());
        } finally {
          super.close();
        }
      }
    };
  }
}
