package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.Prediction;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * 10,000 bad records of every kind mixed into a valid stream: each lands in the dead-letter topic
 * with a reason (once from the inference service, and once more from the trainer for those on the
 * labeled topic it reads), no app crashes, every valid event still gets exactly one prediction and
 * the model learns as well as on a clean stream.
 */
class BadInputIT {
  private static final int FEATURES = 8;
  private static final int CLASSES = 4;
  private static final int VALID = 20_000;
  private static final int BAD = 10_000;
  private static final int HUGE = 3;

  private final AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
  private final AvroSerde<FeatureEvent> unlabeled = AvroSerde.of(FeatureEvent.class);
  private final AvroSerde<Prediction> predictionSerde = AvroSerde.of(Prediction.class);

  @Test
  void badRecordsGoToDeadLettersAndTheValidStreamIsUnaffected() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LoopHarness h = new LoopHarness(kafka, "fuzz");
      Trainer trainer = new Trainer(h.trainerConfig(FEATURES, "dense(16,relu) > dense(4,softmax)", Map.of(
          TrainerConfig.PUBLISH_EVERY_BATCHES, "20", TrainerConfig.PUBLISH_EVERY_MS, "1000")));
      Set<String> validIds = new HashSet<>();
      Map<String, Integer> expectedDead = new HashMap<>();
      Map<String, Integer> predictedCount = new HashMap<>();
      Map<String, Integer> deadByApp = new HashMap<>();
      List<Prediction> validLabeled = new ArrayList<>();
      try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()))) {
        Thread t = new Thread(trainer, "fuzz-trainer");
        t.start();
        inference.start();
        produceMixedStream(h, validIds, expectedDead);
        int expectedInference = expectedDead.values().stream().mapToInt(Integer::intValue).sum();
        int expectedTrainer = expectedDead.getOrDefault(h.topic(CommonKeys.LABELED_TOPIC), 0);

        try (KafkaConsumer<String, byte[]> predictions = h.predictionsConsumer();
             KafkaConsumer<String, byte[]> dead = h.committedReader(h.topic(CommonKeys.DEAD_LETTER_TOPIC))) {
          long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
          while (System.nanoTime() < deadline && (predictedCount.size() < validIds.size()
              || deadByApp.getOrDefault("inference", 0) < expectedInference
              || deadByApp.getOrDefault("trainer", 0) < expectedTrainer)) {
            for (ConsumerRecord<String, byte[]> r : predictions.poll(Duration.ofMillis(100))) {
              Prediction p = predictionSerde.deserialize(r.topic(), r.value());
              predictedCount.merge(p.getId(), 1, Integer::sum);
              if (p.getLabel() != null) {
                validLabeled.add(p);
              }
            }
            for (ConsumerRecord<String, byte[]> r : dead.poll(Duration.ofMillis(100))) {
              String reason = DeadLetters.header(r.headers(), DeadLetters.REASON);
              assertTrue(reason != null && !reason.isBlank(), "dead letter without reason at offset " + r.offset());
              deadByApp.merge(DeadLetters.header(r.headers(), DeadLetters.APP), 1, Integer::sum);
            }
          }
        }
        assertTrue(t.isAlive(), "the trainer survived the bad input");
        assertEquals(org.apache.kafka.streams.KafkaStreams.State.RUNNING, inference.state(),
            "the inference service survived the bad input");
        assertEquals(expectedInference, deadByApp.getOrDefault("inference", 0),
            "dead letters from inference (all bad records on both topics)");
        assertEquals(expectedTrainer, deadByApp.getOrDefault("trainer", 0),
            "dead letters from the trainer (bad records on the labeled topic)");
        trainer.stop();
        assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer stops");
      }
      assertEquals(validIds, predictedCount.keySet(), "every valid event and only those predicted");
      assertTrue(predictedCount.values().stream().allMatch(c -> c == 1), "exactly one prediction each");
      assertEquals(0, trainer.status().discardedBatches(), "no batch poisoned: " + trainer.status());
      List<Prediction> last = validLabeled.subList(validLabeled.size() - 2_000, validLabeled.size());
      double accuracy = last.stream().filter(p -> p.getLabel().equals(p.getPredictedClass())).count()
          / (double) last.size();
      assertTrue(accuracy >= 0.9, "accuracy of the last 2000 valid labeled predictions " + accuracy);
      org.slf4j.LoggerFactory.getLogger(BadInputIT.class).info(
          "observed: {} valid + {} bad records -> {} predictions, dead letters {}, accuracy {} (last 2000)",
          validIds.size(), BAD, predictedCount.size(), deadByApp, accuracy);
    }
  }

  private void produceMixedStream(LoopHarness h, Set<String> validIds, Map<String, Integer> expectedDead)
      throws Exception {
    String labeledTopic = h.topic(CommonKeys.LABELED_TOPIC);
    String featuresTopic = h.topic(CommonKeys.FEATURES_TOPIC);
    Random random = new Random(1234);
    GaussianBlobs stream = new GaussianBlobs(CLASSES, FEATURES, 9, 0);
    Map<String, Object> props = h.producerProps();
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 12 * 1024 * 1024);
    int bad = 0;
    int huge = 0;
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < VALID + BAD; i++) {
        boolean makeBad = bad < BAD && random.nextInt(VALID + BAD - i) < BAD - bad;
        String id = "f-" + i;
        if (!makeBad) {
          Example e = stream.next();
          boolean isLabeled = i % 5 != 0;
          byte[] value = isLabeled
              ? labeled.serialize(null, new LabeledEvent(id, Instant.now(), FloatLists.boxed(e.features()), e.label()))
              : unlabeled.serialize(null, new FeatureEvent(id, Instant.now(), FloatLists.boxed(e.features())));
          String key = i % 97 == 0 ? null : id; // a null key is fine: the prediction is keyed by the id
          producer.send(new ProducerRecord<>(isLabeled ? labeledTopic : featuresTopic, key, value));
          validIds.add(id);
          continue;
        }
        bad++;
        int kind = huge < HUGE && bad % 3000 == 0 ? 7 : random.nextInt(7);
        if (kind == 7) {
          huge++;
        }
        String topic = kind == 5 || random.nextBoolean() ? labeledTopic : featuresTopic;
        producer.send(new ProducerRecord<>(topic, id, badValue(kind, id, random, stream)));
        expectedDead.merge(topic, 1, Integer::sum);
      }
      producer.flush();
    }
  }

  private byte[] badValue(int kind, String id, Random random, GaussianBlobs stream) {
    Example e = stream.next();
    switch (kind) {
      case 0: {
        byte[] junk = new byte[1 + random.nextInt(200)];
        random.nextBytes(junk);
        return junk;
      }
      case 1: {
        byte[] good = labeled.serialize(null, new LabeledEvent(id, Instant.now(), FloatLists.boxed(e.features()), 1));
        return Arrays.copyOf(good, 10 + random.nextInt(good.length - 11));
      }
      case 2:
        return predictionSerde.serialize(null, new Prediction(id, 1L, "m", 1L, 1, List.of(1f), null, 0L, null, null, null, null, null));
      case 3: {
        float[] x = new float[random.nextBoolean() ? FEATURES - 1 : FEATURES + 3];
        return unlabeled.serialize(null, new FeatureEvent(id, Instant.now(), FloatLists.boxed(x)));
      }
      case 4: {
        float[] x = e.features();
        x[random.nextInt(FEATURES)] = random.nextBoolean() ? Float.NaN : Float.POSITIVE_INFINITY;
        return labeled.serialize(null, new LabeledEvent(id, Instant.now(), FloatLists.boxed(x), e.label()));
      }
      case 5: {
        Object label = random.nextBoolean() ? (Object) (CLASSES + random.nextInt(5)) : (Object) 0.5f;
        return labeled.serialize(null, new LabeledEvent(id, Instant.now(), FloatLists.boxed(e.features()), label));
      }
      case 6:
        return random.nextBoolean() ? null
            : "{\"id\": \"broken json".getBytes(StandardCharsets.UTF_8);
      default: {
        byte[] big = new byte[10 * 1024 * 1024];
        random.nextBytes(big);
        return big;
      }
    }
  }
}
