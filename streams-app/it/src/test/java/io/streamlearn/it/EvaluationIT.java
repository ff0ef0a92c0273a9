package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Evaluation;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * Trainer, inference and evaluation on a real broker, with inference held back behind the trainer:
 * it starts only after the trainer has learned the first part of the stream, so it scores those
 * events with versions that trained on them.
 */
class EvaluationIT extends BrokerIT {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EvaluationIT.class);
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(16,relu) > dense(4,softmax)";
  private static final int FIRST = 6_000;
  private static final int SECOND = 6_000;
  private static final int WINDOW = 1_000;

  @Test
  void leakedPredictionsAreCountedAndExcludedAndServedAccuracyMatchesTheTrainers() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "evaluation");
    h.createTopics();
    GaussianBlobs stream = new GaussianBlobs(4, FEATURES, 11, 0.0);
    TrainerConfig trainerConfig = h.trainerConfig(FEATURES, LAYERS, Map.of(
        TrainerConfig.PUBLISH_EVERY_BATCHES, "5", TrainerConfig.PUBLISH_EVERY_MS, "1000",
        TrainerConfig.PREQUENTIAL_WINDOW, String.valueOf(WINDOW)));
    Map<String, String> e = new HashMap<>();
    e.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    e.put(CommonKeys.MODEL_NAME, "evaluation");
    for (String key : List.of(CommonKeys.PREDICTIONS_TOPIC, CommonKeys.MODELS_TOPIC, CommonKeys.DEAD_LETTER_TOPIC)) {
      e.put(key, h.topic(key));
    }
    String suffix = h.topic(CommonKeys.MODELS_TOPIC).replace("models-", "");
    e.put(CommonKeys.LABELS_TOPIC, "labels-" + suffix);
    e.put(EvaluationConfig.EVALUATIONS_TOPIC, "evaluations-" + suffix);
    e.put(EvaluationConfig.SERVED_METRICS_TOPIC, "served-" + suffix);
    e.put(EvaluationConfig.APPLICATION_ID, "it-evaluation-" + suffix);
    e.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("it-evaluation-").toString());
    e.put(CommonKeys.TOPIC_PARTITIONS, "3");
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
      List<Evaluation> lastEvents = lastEvaluations(h, e.get(EvaluationConfig.EVALUATIONS_TOPIC));
      long clean = lastEvents.stream().filter(x -> !x.getLeaked()).count();
      double servedLast = lastEvents.stream().filter(x -> !x.getLeaked() && x.getCorrect()).count() / (double) clean;
      log.info("served {}; over the last {} events: served {} ({} leak-free), trainer {}",
          served, WINDOW, servedLast, clean, trainerAccuracy);
      assertTrue(clean > WINDOW / 2, "inference has caught up by the end: most late predictions are leak-free");
      assertEquals(trainerAccuracy, servedLast, 0.01, "served (leak-free) vs the trainer's test-then-train");
    } finally {
      trainer.stop();
      trainer.awaitStopped(Duration.ofSeconds(60));
    }
  }

  /** The evaluations of the last {@link #WINDOW} events of the stream. */
  private static List<Evaluation> lastEvaluations(LoopHarness h, String topic) throws Exception {
    AvroSerde<Evaluation> serde = AvroSerde.of(Evaluation.class);
    Map<String, Evaluation> byId = new HashMap<>();
    try (KafkaConsumer<String, byte[]> reader = h.committedReader(topic)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (byId.size() < FIRST + SECOND && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
          byId.put(r.key(), serde.deserialize(topic, r.value()));
        }
      }
    }
    return byId.values().stream()
        .filter(x -> Integer.parseInt(x.getId().substring(3)) >= FIRST + SECOND - WINDOW).toList();
  }
}
