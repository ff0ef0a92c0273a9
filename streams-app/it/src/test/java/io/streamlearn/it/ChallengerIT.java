package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
import io.streamlearn.eval.RegistryChallengerPromoter;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.ChallengerVerdict;
import io.streamlearn.schema.ChallengerVerdictType;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.RandomModels;
import io.streamlearn.testkit.gen.RotatingHyperplane;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The challenger comparison on a real broker: a trainer publishes, live is pinned to a weak version
 * (random weights) and the shadow alias serves the trainer's newest; inference scores every event
 * with both, the evaluation pairs them and, with auto-promotion, moves live to the better one with
 * the evidence in the alias record. A challenger of the same quality (the same weights republished
 * as another version) is then not promoted.
 */
class ChallengerIT extends BrokerIT {
  private static final Logger log = LoggerFactory.getLogger(ChallengerIT.class);
  private static final String MODEL = "challenged";
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(16,relu) > dense(2,softmax)";
  private static final int TRAINED = 3_000;
  private static final int FRESH = 1_000;
  private static final int SAME = 1_500;
  private static final AvroSerde<ChallengerVerdict> VERDICTS = AvroSerde.of(ChallengerVerdict.class);
  private static final AvroSerde<Prediction> PREDICTIONS = AvroSerde.of(Prediction.class);
  private static final AvroSerde<TrainingEvent> EVENTS = AvroSerde.of(TrainingEvent.class);

  @Test
  void aBetterChallengerIsPromotedWithItsEvidenceAndASameQualityOneIsNot() throws Exception {
    LoopHarness h = new LoopHarness(kafka, MODEL);
    h.createTopics();
    RotatingHyperplane stream = new RotatingHyperplane(FEATURES, 21, 0.0, 0.1);
    Trainer trainer = new Trainer(h.trainerConfig(FEATURES, LAYERS, Map.of(
        TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.PUBLISH_EVERY_MS, "1000")));
    Thread trainerThread = new Thread(trainer, "trainer");
    trainerThread.start();
    try {
      h.produce(stream, 0, TRAINED, 0, 3_000);
      LoopHarness.await(() -> trainer.status().examplesTrained() + trainer.status().heldOut() >= TRAINED
              && trainer.status().publishedVersions() >= 2, Duration.ofSeconds(120),
          () -> "the trainer learns the stream: " + trainer.status());
    } finally {
      trainer.stop();
      trainer.awaitStopped(Duration.ofSeconds(60));
    }
    String shadowTopic = "shadow-" + h.suffix;
    Map<String, String> e = evaluationSettings(h, shadowTopic);
    try (KafkaRegistry registry = KafkaRegistry.open(h.clientProps(), h.topic(CommonKeys.MODELS_TOPIC))) {
      registry.sync();
      long trained = registry.read(s -> s.latestVersionNumber(MODEL));
      long weak = trained + 1;
      registry.publish(RandomModels.random(MODEL, weak, FEATURES, LAYERS, 5, Map.of()));
      registry.setAlias(MODEL, "live", weak, "it", "pinned to a weak version");
      registry.setAlias(MODEL, "challenger", trained, "it", "the trainer's newest as challenger");
      log.info("live pinned to v{} (random weights), challenger v{} (trained)", weak, trained);

      try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of(
               InferenceConfig.SHADOW_ALIAS, "challenger", InferenceConfig.SHADOW_TOPIC, shadowTopic)));
           EvaluationService evaluation = new EvaluationService(new EvaluationConfig(e).settings());
           KafkaConsumer<String, byte[]> verdictsReader =
               h.committedReader(e.get(EvaluationConfig.CHALLENGER_VERDICTS_TOPIC))) {
        inference.start();
        evaluation.start();
        h.produce(stream, TRAINED, FRESH, 0, 1_000); // events no version trained on
        LoopHarness.await(() -> live(registry).version() == trained, Duration.ofSeconds(120),
            () -> "live promoted to the trained challenger v" + trained + ": " + live(registry));
        AliasMove move = live(registry);
        assertEquals(RegistryChallengerPromoter.MOVED_BY, move.movedBy());
        assertEquals(weak, move.previousVersion());
        for (String evidence : List.of("b=", "c=", "n=", "LLR=", "alpha=0.05", "beta=0.2")) {
          assertTrue(move.reason().contains(evidence), "the alias record's reason names " + evidence + ": "
              + move.reason());
        }
        Map<String, ChallengerVerdict> verdicts = new ConcurrentHashMap<>();
        String better = MODEL + ":" + weak + ">" + trained;
        LoopHarness.await(() -> {
              read(verdictsReader, verdicts);
              ChallengerVerdict v = verdicts.get(better);
              return v != null && v.getPromoted();
            }, Duration.ofSeconds(60), () -> "the promoting verdict is published: " + verdicts.get(better));
        ChallengerVerdict won = verdicts.get(better);
        log.info("better challenger: {}", won);
        assertEquals(ChallengerVerdictType.CHALLENGER_BETTER, won.getVerdict());
        assertTrue(won.getChallengerOnlyCorrect() > won.getLiveOnlyCorrect(), "c > b: " + won);
        assertTrue(won.getLogLikelihoodRatio() >= won.getUpperThreshold(), "LLR past the boundary: " + won);
        assertTrue(alerts(h).stream().anyMatch(a -> a.getType() == TrainingEventType.ALERT
                && a.getMessage().startsWith("auto-promote") && a.getModelVersion() == trained),
            "an ALERT training event says so");

        // the same weights as live, republished as another version: the same quality by construction
        long copy = weak + 1;
        ModelVersion liveVersion = registry.read(s -> s.version(MODEL, trained)).orElseThrow();
        registry.publish(new ModelVersion(MODEL, copy, trained, Instant.now(), liveVersion.architecture(),
            liveVersion.signature(), liveVersion.preprocessing(), liveVersion.tensors(), liveVersion.checksum(),
            liveVersion.lineage(), liveVersion.metrics(), liveVersion.annotations(),
            liveVersion.featurePipeline()));
        registry.setAlias(MODEL, "challenger", copy, "it", "the live weights again");
        h.produce(stream, TRAINED + FRESH, SAME, 0, 1_000);
        String same = MODEL + ":" + trained + ">" + copy;
        LoopHarness.await(() -> {
              read(verdictsReader, verdicts);
              ChallengerVerdict v = verdicts.get(same);
              return v != null && v.getPairs() >= SAME / 2;
            }, Duration.ofSeconds(120), () -> "the same-quality challenger is tested: " + verdicts.get(same));
        ChallengerVerdict tie = verdicts.get(same);
        log.info("same-quality challenger: {}", tie);
        assertNotEquals(ChallengerVerdictType.CHALLENGER_BETTER, tie.getVerdict(), "not better: " + tie);
        assertEquals(0, tie.getLiveOnlyCorrect() + tie.getChallengerOnlyCorrect(),
            "the same weights never disagree: " + tie);
        assertEquals(trained, live(registry).version(), "live stays: " + live(registry));
      }
    }
  }

  @Test
  void eachEventIsPairedOnceAcrossARestartOnAFreshStateDirectory() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "restarted");
    h.createTopics();
    String shadowTopic = "shadow-" + h.suffix;
    Map<String, String> e = evaluationSettings(h, shadowTopic);
    e.put(CommonKeys.MODEL_NAME, "restarted");
    e.put(EvaluationConfig.AUTO_PROMOTE_CHALLENGER, "false");
    String liveTopic = h.topic(CommonKeys.PREDICTIONS_TOPIC);
    int n = 400;
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(h.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
      try (EvaluationService first = new EvaluationService(new EvaluationConfig(e).settings());
           KafkaConsumer<String, byte[]> reader = h.committedReader(e.get(EvaluationConfig.CHALLENGER_VERDICTS_TOPIC))) {
        first.start();
        for (int i = 0; i < 300; i++) {
          send(producer, liveTopic, prediction(i, "live", 1));
          if (i < 200) {
            send(producer, shadowTopic, prediction(i, "challenger", 2)); // 200..299 wait for their other half
          }
        }
        producer.flush();
        Map<String, ChallengerVerdict> verdicts = new HashMap<>();
        LoopHarness.await(() -> {
              read(reader, verdicts);
              ChallengerVerdict v = verdicts.get("restarted:1>2");
              return v != null && v.getPairs() >= 200;
            }, Duration.ofSeconds(120), () -> "the first 200 pairs before the restart: " + verdicts);
      }
      // while it is down: the other halves, new events, and repeats of events already paired
      for (int i = 200; i < n; i++) {
        send(producer, shadowTopic, prediction(i, "challenger", 2));
        if (i >= 300) {
          send(producer, liveTopic, prediction(i, "live", 1));
        }
      }
      for (int i = 0; i < 50; i++) {
        send(producer, liveTopic, prediction(i, "live", 1));
        send(producer, shadowTopic, prediction(i, "challenger", 2));
      }
      producer.flush();
    }
    e.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("it-challenger-restarted-").toString());
    try (EvaluationService second = new EvaluationService(new EvaluationConfig(e).settings());
         KafkaConsumer<String, byte[]> reader = h.committedReader(e.get(EvaluationConfig.CHALLENGER_VERDICTS_TOPIC))) {
      second.start();
      Map<String, ChallengerVerdict> verdicts = new HashMap<>();
      LoopHarness.await(() -> {
            read(reader, verdicts);
            ChallengerVerdict v = verdicts.get("restarted:1>2");
            return v != null && v.getPairs() >= n;
          }, Duration.ofSeconds(120), () -> "every event paired after the restart: " + verdicts);
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // a later publication would show a repeat
      while (System.nanoTime() < until) {
        read(reader, verdicts);
      }
      ChallengerVerdict v = verdicts.get("restarted:1>2");
      assertEquals(n, v.getPairs(), "each event paired once: " + v);
      assertEquals(0, v.getLiveOnlyCorrect(), "b: " + v);
      assertEquals(n / 2, v.getChallengerOnlyCorrect(), "c: live is wrong on every odd event: " + v);
    }
  }

  /** Event {@code i} (label 1) as {@code alias} scored it: the challenger always right, live on even events. */
  private static ProducerRecord<String, byte[]> prediction(int i, String alias, long version) {
    int predicted = alias.equals("live") && i % 2 == 1 ? 0 : 1;
    String id = "ev-" + i;
    return new ProducerRecord<>("", id, PREDICTIONS.serialize(null, Prediction.newBuilder().setId(id)
        .setEventTime(System.currentTimeMillis()).setModel("restarted").setModelVersion(version)
        .setPredictedClass(predicted).setScores(predicted == 1 ? List.of(0.2f, 0.8f) : List.of(0.8f, 0.2f))
        .setLabel(1).setLatencyMicros(1).setAlias(alias).build()));
  }

  private static void send(KafkaProducer<String, byte[]> producer, String topic, ProducerRecord<String, byte[]> r) {
    producer.send(new ProducerRecord<>(topic, r.key(), r.value()));
  }

  private static AliasMove live(KafkaRegistry registry) {
    registry.sync();
    return registry.read(s -> s.aliases(MODEL).get("live"));
  }

  private static void read(KafkaConsumer<String, byte[]> reader, Map<String, ChallengerVerdict> into) {
    reader.poll(Duration.ofMillis(200)).forEach(r -> into.put(r.key(), VERDICTS.deserialize(r.topic(), r.value())));
  }

  private static List<TrainingEvent> alerts(LoopHarness h) {
    List<TrainingEvent> out = new java.util.ArrayList<>();
    try (KafkaConsumer<String, byte[]> reader = h.committedReader(h.topic(CommonKeys.METRICS_TOPIC))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline
          && out.stream().noneMatch(a -> a.getMessage().startsWith("auto-promote"))) {
        reader.poll(Duration.ofMillis(200)).forEach(r -> out.add(EVENTS.deserialize(r.topic(), r.value())));
      }
    }
    return out;
  }

  private static Map<String, String> evaluationSettings(LoopHarness h, String shadowTopic) throws Exception {
    return h.evaluationSettings(Map.of(CommonKeys.SHADOW_ALIAS, "challenger", CommonKeys.SHADOW_TOPIC, shadowTopic,
        EvaluationConfig.AUTO_PROMOTE_CHALLENGER, "true",
        EvaluationConfig.CHALLENGER_VERDICTS_TOPIC, "verdicts-" + h.suffix,
        EvaluationConfig.PUBLISH_INTERVAL_MS, "500"));
  }
}
