package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Evaluation;
import io.streamlearn.schema.LabelEvent;
import io.streamlearn.schema.Prediction;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.gen.RotatingHyperplane;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Trainer, inference and evaluation on a real broker, with inference held back behind the trainer:
 * it starts only after the trainer has learned the first part of the stream, so it scores those
 * events with versions that trained on them.
 */
class EvaluationIT extends BrokerIT {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EvaluationIT.class);
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(16,relu) > dense(2,softmax)";
  private static final int FIRST = 6_000;
  private static final int SECOND = 6_000;
  private static final int WINDOW = 3_000;
  private static final AvroSerde<Prediction> PREDICTIONS = AvroSerde.of(Prediction.class);
  private static final AvroSerde<LabelEvent> LABELS = AvroSerde.of(LabelEvent.class);

  @Test
  void leakedPredictionsAreCountedAndExcludedAndServedAccuracyMatchesTheTrainers() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "evaluation");
    h.createTopics();
    // stationary, with a tenth of the labels flipped: accuracy tops out near 0.9, so the comparison means something
    RotatingHyperplane stream = new RotatingHyperplane(FEATURES, 11, 0.0, 0.1);
    TrainerConfig trainerConfig = h.trainerConfig(FEATURES, LAYERS, Map.of(
        TrainerConfig.PUBLISH_EVERY_BATCHES, "5", TrainerConfig.PUBLISH_EVERY_MS, "1000",
        TrainerConfig.PREQUENTIAL_WINDOW, String.valueOf(WINDOW)));
    Map<String, String> e = h.evaluationSettings(Map.of());
    Trainer trainer = new Trainer(trainerConfig);
    Thread trainerThread = new Thread(trainer, "trainer");
    trainerThread.start();
    try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()));
         EvaluationService evaluation = new EvaluationService(new EvaluationConfig(e).settings())) {
      h.produce(stream, 0, FIRST, 0, 3_000);
      LoopHarness.await(() -> trainer.status().examplesTrained() + trainer.status().heldOut() >= FIRST
              && trainer.status().publishedVersions() >= 3, Duration.ofSeconds(120),
          () -> "the trainer learns the first part before inference starts: " + trainer.status());
      inference.start(); // held back until now: it scores the first part with versions trained on it
      evaluation.start();
      LoopHarness.await(() -> {
        EvaluationService.Served s = evaluation.served(CommonKeys.DEFAULT_ALIAS);
        return s.evaluated() + s.leaked() >= FIRST;
      }, Duration.ofSeconds(180), () -> "inference catches up with the first part: " + evaluation.served("live"));
      EvaluationService.Served firstPart = evaluation.served(CommonKeys.DEFAULT_ALIAS);
      // The first part was trained on before inference scored any of it: only the held-out share is clean.
      long heldOut = java.util.stream.IntStream.range(0, FIRST)
          .filter(i -> io.streamlearn.train.HoldOut.isHeldOut("ev-" + i, 0.1)).count();
      assertEquals(FIRST - heldOut, firstPart.leaked(), "leaked in the first part: " + firstPart);
      h.produce(stream, FIRST, SECOND, 0, 1_000); // inference keeps up now
      LoopHarness.await(() -> {
        EvaluationService.Served s = evaluation.served(CommonKeys.DEFAULT_ALIAS);
        return s.evaluated() + s.leaked() >= FIRST + SECOND;
      }, Duration.ofSeconds(180), () -> "every labeled prediction evaluated: " + evaluation.served("live"));
      double trainerAccuracy = trainer.status().prequentialAccuracy();
      EvaluationService.Served served = evaluation.served(CommonKeys.DEFAULT_ALIAS);
      assertEquals(FIRST + SECOND, served.evaluated() + served.leaked(), "each prediction evaluated once");

      // The trainer's test-then-train figure is over its last WINDOW examples: compare the served
      // figure over the leak-free evaluations of the same events.
      List<Evaluation> all = evaluations(h, e.get(EvaluationConfig.EVALUATIONS_TOPIC), FIRST + SECOND);
      double naive = all.stream().filter(Evaluation::getCorrect).count() / (double) all.size();
      List<Evaluation> lastEvents = all.stream()
          .filter(x -> Integer.parseInt(x.getId().substring(3)) >= FIRST + SECOND - WINDOW).toList();
      long clean = lastEvents.stream().filter(x -> !x.getLeaked()).count();
      double servedLast = lastEvents.stream().filter(x -> !x.getLeaked() && x.getCorrect()).count() / (double) clean;
      log.info("served {} (with the leaked counted: {}); over the last {} events: served {} ({} leak-free),"
          + " trainer {}", served, naive, WINDOW, servedLast, clean, trainerAccuracy);
      assertTrue(clean > WINDOW / 2, "inference has caught up by the end: most late predictions are leak-free");
      assertEquals(trainerAccuracy, servedLast, 0.01, "served (leak-free) vs the trainer's test-then-train");
    } finally {
      trainer.stop();
      trainer.awaitStopped(Duration.ofSeconds(60));
    }
  }

  @Test
  void delayedLabelsInAnyOrderAreEachEvaluatedOnceAcrossARestart() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "delayed");
    h.createTopics();
    Map<String, String> e = h.evaluationSettings(Map.of());
    String labelsTopic = e.get(CommonKeys.LABELS_TOPIC);
    String predictionsTopic = h.topic(CommonKeys.PREDICTIONS_TOPIC);
    int n = 1_000;
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(h.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
      try (EvaluationService first = new EvaluationService(new EvaluationConfig(e).settings())) {
        first.start();
        // predictions 0..499, labels 250..749 (and 250..299 twice): 250..499 meet now, in both orders
        for (int i = 0; i < 750; i++) {
          if (i < 500) {
            send(producer, predictionsTopic, "ev-" + i, prediction("ev-" + i, i % 2));
          }
          if (i >= 250) {
            send(producer, labelsTopic, "ev-" + i, label("ev-" + i, i % 2));
          }
          if (i >= 250 && i < 300) {
            send(producer, labelsTopic, "ev-" + i, label("ev-" + i, 1 - i % 2)); // a duplicate: ignored
          }
        }
        producer.flush();
        LoopHarness.await(() -> first.served("live").evaluated() >= 250, Duration.ofSeconds(120),
            () -> "the first 250 pairs evaluated before the restart: " + first.served("live"));
      }
      // while the evaluation is down: the other predictions and labels, labels first for some
      for (int i = 0; i < 250; i++) {
        send(producer, labelsTopic, "ev-" + i, label("ev-" + i, i % 2));
      }
      for (int i = 500; i < n; i++) {
        if (i >= 750) {
          send(producer, labelsTopic, "ev-" + i, label("ev-" + i, i % 2));
        }
        send(producer, predictionsTopic, "ev-" + i, prediction("ev-" + i, i % 2));
      }
      producer.flush();
    }
    // a fresh state directory: the pending pairs and done markers come back from the changelogs
    e.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("it-evaluation-restarted-").toString());
    try (EvaluationService second = new EvaluationService(new EvaluationConfig(e).settings())) {
      second.start();
      LoopHarness.await(() -> second.served("live").evaluated() >= n, Duration.ofSeconds(120),
          () -> "every pair evaluated after the restart: " + second.served("live"));
      assertEquals(n, second.served("live").evaluated(), "each prediction counted once");
      assertEquals(1.0, second.served("live").accuracy(), 1e-12, "each joined with its first label");
    }
    Map<String, Integer> times = new HashMap<>();
    try (KafkaConsumer<String, byte[]> reader = h.committedReader(e.get(EvaluationConfig.EVALUATIONS_TOPIC))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (times.size() < n && System.nanoTime() < deadline) {
        reader.poll(Duration.ofMillis(200)).forEach(r -> times.merge(r.key(), 1, Integer::sum));
      }
      // one more fetch after the last expected record, so a duplicate written after it is seen too
      reader.poll(Duration.ofSeconds(2)).forEach(r -> times.merge(r.key(), 1, Integer::sum));
    }
    assertEquals(n, times.size(), "an evaluation for every prediction");
    List<String> twice = times.entrySet().stream().filter(x -> x.getValue() > 1).map(Map.Entry::getKey).toList();
    assertTrue(twice.isEmpty(), "evaluated more than once: " + twice);
  }

  private static byte[] prediction(String id, int predicted) {
    float p = predicted == 1 ? 0.8f : 0.2f;
    return PREDICTIONS.serialize(null, Prediction.newBuilder().setId(id).setEventTime(System.currentTimeMillis())
        .setModel("delayed").setModelVersion(1).setPredictedClass(predicted).setScores(List.of(1 - p, p))
        .setLatencyMicros(1).setAlias("live").build());
  }

  private static byte[] label(String id, int label) {
    return LABELS.serialize(null, new LabelEvent(id, java.time.Instant.now(), label));
  }

  private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key, value));
  }

  /** The committed evaluations on {@code topic}, the last one per id, once {@code expected} ids are read (or 60 s). */
  private static List<Evaluation> evaluations(LoopHarness h, String topic, int expected) {
    AvroSerde<Evaluation> serde = AvroSerde.of(Evaluation.class);
    Map<String, Evaluation> byId = new HashMap<>();
    try (KafkaConsumer<String, byte[]> reader = h.committedReader(topic)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (byId.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
          byId.put(r.key(), serde.deserialize(topic, r.value()));
        }
      }
    }
    return List.copyOf(byId.values());
  }
}
