package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop over users' own JSON records on the embedded broker: the trainer learns them through
 * the feature pipeline, inference scores the same topic with each version's pipeline, bad records
 * are dead-lettered by both naming the field, and a restart of both resumes the pipeline state
 * exactly once.
 */
class RawJsonLoopIT {
  private static final Logger log = LoggerFactory.getLogger(RawJsonLoopIT.class);
  private static final String[] AIRPORTS = {"DTW", "LAS", "ORD", "SFO", "JFK", "ATL", "SEA", "DEN"};
  private static final double HOLDOUT = 0.1;
  private final AvroSerde<Prediction> predictionSerde = AvroSerde.of(Prediction.class);

  @Test
  void rawJsonRecordsAreLearnedAndScoredAndARestartResumesThePipeline() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LoopHarness h = new LoopHarness(kafka, "flights");
      h.createTopics();
      String topic = h.topic(CommonKeys.LABELED_TOPIC);
      Map<String, String> raw = Map.of(
          RawInputKeys.INPUT_FORMAT, "json",
          RawInputKeys.ID_FIELD, "id");
      Map<String, String> trainerExtra = new HashMap<>(raw);
      trainerExtra.putAll(Map.of(
          RawInputKeys.FEATURE_SPEC, "distance:numeric, origin:category(16), dest:hash(256)",
          RawInputKeys.LABEL_FIELD, "delay>15",
          TrainerConfig.LOSS, "binary_cross_entropy",
          TrainerConfig.BATCH_SIZE, "32",
          TrainerConfig.PUBLISH_EVERY_BATCHES, "20",
          TrainerConfig.CHECKPOINT_EVERY_BATCHES, "5",
          TrainerConfig.HOLDOUT_FRACTION, String.valueOf(HOLDOUT),
          TrainerConfig.GATE_MARGIN, "1",
          TrainerConfig.DRIFT_DETECTOR, "none"));
      TrainerConfig trainerConfig = h.trainerConfig(0, "dense(8,relu) > dense(1,sigmoid)", trainerExtra);
      Map<String, String> inferenceExtra = new HashMap<>(raw);
      inferenceExtra.put(InferenceConfig.INPUT_TOPICS, topic);
      InferenceConfig inferenceConfig = h.inferenceConfig(inferenceExtra);

      Set<String> valid = new HashSet<>();
      Map<String, String> badField = new HashMap<>(); // key -> the field its dead letter must name ("" none)
      Random random = new Random(2001);
      Map<String, Integer> predicted = new HashMap<>();
      Map<String, Integer> deadByApp = new HashMap<>();

      long versionBeforeRestart;
      try (KafkaConsumer<String, byte[]> predictions = h.predictionsConsumer();
           KafkaConsumer<String, byte[]> dead = h.committedReader(h.topic(CommonKeys.DEAD_LETTER_TOPIC))) {
        // Run 1.
        Trainer trainer = new Trainer(trainerConfig);
        Thread t = new Thread(trainer, "raw-trainer-1");
        try (InferenceService inference = new InferenceService(inferenceConfig)) {
          t.start();
          inference.start();
          produce(h, topic, random, 0, 3_000, valid, badField);
          drain(predictions, dead, predicted, deadByApp, valid.size(), badField, 2 * badField.size());
          trainer.stop();
          assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer 1 stops");
          versionBeforeRestart = inference.served().current().version().version();
        }
        // Run 2: both restart from what they committed.
        Trainer again = new Trainer(trainerConfig);
        Thread t2 = new Thread(again, "raw-trainer-2");
        try (InferenceService inference = new InferenceService(inferenceConfig)) {
          t2.start();
          inference.start();
          produce(h, topic, random, 3_000, 2_000, valid, badField);
          drain(predictions, dead, predicted, deadByApp, valid.size(), badField, 2 * badField.size());
          again.stop();
          assertTrue(again.awaitStopped(Duration.ofSeconds(60)), "trainer 2 stops");
        }
      }
      assertEquals(valid, predicted.keySet(), "every valid record, and only those, predicted");
      assertTrue(predicted.values().stream().allMatch(c -> c == 1), "exactly one prediction each");
      assertEquals(badField.size(), deadByApp.getOrDefault("trainer", 0), "the trainer dead-letters each bad record");
      assertEquals(badField.size(), deadByApp.getOrDefault("inference", 0), "inference dead-letters each bad record");

      RegistryState registry = RegistryReader.read(h.clientProps(), h.topic(CommonKeys.MODELS_TOPIC),
          Duration.ofSeconds(30));
      List<ModelVersion> versions = List.copyOf(registry.versions("flights").values());
      ModelVersion last = versions.get(versions.size() - 1);
      assertTrue(last.version() > versionBeforeRestart, "the restarted trainer continued the version numbers");
      FrozenPipeline pipeline = FrozenPipeline.parse(last.featurePipeline());
      long trainRows = valid.stream().filter(id -> !HoldOut.isHeldOut(id, HOLDOUT)).count();
      assertEquals(trainRows, pipeline.rowsLearned(),
          "the pipeline learned every training record once across the restart (none twice, none skipped)");
      assertEquals(trainRows, last.lineage().examplesSeen(), "as the weights did");
      assertTrue(pipeline.vocabulary("origin").containsAll(List.of(AIRPORTS)), "" + pipeline.vocabulary("origin"));
      log.info("observed: {} valid and {} bad records, {} versions, last {} learned {} rows; dead letters {}",
          valid.size(), badField.size(), versions.size(), last.key(), pipeline.rowsLearned(), deadByApp);
    }
  }

  /** Valid flights, and every 100th a bad one: not JSON, or no distance (the dead letter names it). */
  private static void produce(LoopHarness h, String topic, Random random, int from, int count, Set<String> valid,
                              Map<String, String> badField) {
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(h.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = from; i < from + count; i++) {
        String id = "fl-" + i;
        String json;
        if (i % 100 == 50) {
          boolean notJson = (i / 100) % 2 == 0;
          json = notJson ? "{\"id\":\"" + id + "\", delay" : "{\"id\":\"" + id + "\",\"origin\":\"DTW\",\"delay\":3}";
          badField.put(id, notJson ? "" : "distance");
        } else {
          int o = random.nextInt(AIRPORTS.length);
          int delay = random.nextDouble() < 0.1 + 0.08 * o ? 16 + random.nextInt(90) : random.nextInt(16) - 5;
          json = String.format("{\"id\":\"%s\",\"distance\":%d,\"origin\":\"%s\",\"dest\":\"%s\",\"delay\":%d}",
              id, 150 + random.nextInt(2500), AIRPORTS[o], AIRPORTS[random.nextInt(AIRPORTS.length)], delay);
          valid.add(id);
        }
        producer.send(new ProducerRecord<>(topic, id, json.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  private void drain(KafkaConsumer<String, byte[]> predictions, KafkaConsumer<String, byte[]> dead,
                     Map<String, Integer> predicted, Map<String, Integer> deadByApp, int expectedPredictions,
                     Map<String, String> badField, int expectedDead) {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    int deadSeen = deadByApp.values().stream().mapToInt(Integer::intValue).sum();
    while (System.nanoTime() < deadline && (predicted.size() < expectedPredictions || deadSeen < expectedDead)) {
      for (ConsumerRecord<String, byte[]> r : predictions.poll(Duration.ofMillis(100))) {
        Prediction p = predictionSerde.deserialize(r.topic(), r.value());
        predicted.merge(p.getId(), 1, Integer::sum);
        assertTrue(p.getPredictedLabel() == null || List.of("true", "false").contains(p.getPredictedLabel()),
            "predictedLabel is a class of the threshold label: " + p);
      }
      for (ConsumerRecord<String, byte[]> r : dead.poll(Duration.ofMillis(100))) {
        String expected = badField.get(r.key());
        assertTrue(expected != null, "only bad records are dead-lettered, found " + r.key() + ": "
            + DeadLetters.header(r.headers(), DeadLetters.REASON));
        String field = DeadLetters.header(r.headers(), DeadLetters.FIELD);
        assertEquals(expected.isEmpty() ? null : expected, field, "the field named for " + r.key());
        deadByApp.merge(DeadLetters.header(r.headers(), DeadLetters.APP), 1, Integer::sum);
        deadSeen++;
      }
    }
    assertEquals(expectedPredictions, predicted.size(), "predictions so far");
    assertEquals(expectedDead, deadSeen, "dead letters so far " + deadByApp);
  }
}
