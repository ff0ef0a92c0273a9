package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.bench.RandomVersions;
import io.streamlearn.app.OpsServer;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * Trainer, inference and evaluation on a real broker: a person promotes a broken version (random
 * weights) to the served alias, and the evaluation moves the alias back on its own. The evaluation
 * serves its OpsServer as {@code evaluate --http-port} does: health, and metrics parsed by
 * Prometheus' own parser.
 */
class AutoRollbackIT extends BrokerIT {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AutoRollbackIT.class);
  private static final String MODEL = "rollback";
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(16,relu) > dense(4,softmax)";
  private static final int TRAINED = 4_000;
  private static final int SERVED_BEFORE = 800;
  private static final int AFTER = 2_000;
  private static final int MIN_EVENTS = 200;
  /**
   * Evaluations of the broken version the rollback may take. Against a predecessor right nearly
   * always, a version wrong about three times in four crosses the SPRT's threshold within a few
   * dozen evaluations, so the test decides at its minimum: exactly MIN_EVENTS of them.
   */
  private static final int ROLLBACK_WITHIN = MIN_EVENTS;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aBrokenVersionAPersonPromotesIsRolledBackAndEveryEventKeepsExactlyOnePrediction() throws Exception {
    LoopHarness h = new LoopHarness(kafka, MODEL);
    h.createTopics();
    // four separable blobs: the trainer's versions serve well, random weights about as badly as a guess
    GaussianBlobs stream = new GaussianBlobs(4, FEATURES, 21, 0);
    Trainer trainer = new Trainer(h.trainerConfig(FEATURES, LAYERS, Map.of(
        TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.PUBLISH_EVERY_MS, "1000")));
    Thread trainerThread = new Thread(trainer, "trainer");
    trainerThread.start();
    String models = h.topic(CommonKeys.MODELS_TOPIC);
    Map<String, String> e = h.evaluationSettings(
        Map.of(EvaluationConfig.ROLLBACK_MIN_EVENTS, String.valueOf(MIN_EVENTS)));
    try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()));
         OpsServer ops = new OpsServer("evaluation");
         EvaluationService evaluation = new EvaluationService(new EvaluationConfig(e).settings(), ops);
         KafkaRegistry registry = KafkaRegistry.open(new HashMap<>(h.clientProps()), models)) {
      String base = "http://127.0.0.1:" + ops.start(HttpSettings.loopback(0)).getAsInt();
      HttpResponse<String> notYet = get(base + "/health/ready");
      assertEquals(503, notYet.statusCode(), "not ready before Streams runs: " + notYet.body());
      assertTrue(notYet.body().contains("Kafka Streams is CREATED"), notYet.body());
      inference.start();
      evaluation.start();
      LoopHarness.await(() -> get(base + "/health/ready").statusCode() == 200, Duration.ofSeconds(60),
          () -> "ready once Streams runs: " + get(base + "/health/ready").body());
      h.produce(stream, 0, TRAINED, 0, 2_000);
      LoopHarness.await(() -> trainer.status().examplesTrained() + trainer.status().heldOut() >= TRAINED
              && trainer.status().publishedVersions() >= 3, Duration.ofSeconds(120),
          () -> "the trainer learns the first part: " + trainer.status());
      // The trainer moves live at every version it publishes, and a version it publishes after a
      // promotion supersedes it (RollbackGuardTest): stop it, so the broken version stays until judged.
      trainer.stop();
      assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "the trainer stops");
      long good = trainer.status().lastVersion();
      LoopHarness.await(() -> served(inference) == good, Duration.ofSeconds(60),
          () -> "inference serves the trainer's last version " + good + ", serves " + served(inference));
      h.produce(stream, TRAINED, SERVED_BEFORE, 0, 2_000); // the predecessor's served record
      LoopHarness.await(() -> {
        EvaluationService.Served s = evaluation.served(CommonKeys.DEFAULT_ALIAS);
        return s.evaluated() + s.leaked() >= TRAINED + SERVED_BEFORE;
      }, Duration.ofSeconds(120), () -> "every prediction so far evaluated: " + evaluation.served("live"));

      long broken = good + 1;
      registry.publish(RandomVersions.create(MODEL, broken, FEATURES, LAYERS, 99));
      long promotedAt = System.nanoTime();
      registry.promote(MODEL, broken, "alice", "promoted by hand");
      AtomicReference<Exception> producing = new AtomicReference<>();
      Thread producer = new Thread(() -> {
        try {
          h.produce(stream, TRAINED + SERVED_BEFORE, AFTER, 0, 500);
        } catch (Exception ex) {
          producing.set(ex);
        }
      }, "after-promotion");
      producer.start();
      LoopHarness.await(() -> {
        registry.sync();
        AliasMove live = registry.aliases(MODEL).get(CommonKeys.DEFAULT_ALIAS);
        return live != null && "auto-rollback".equals(live.movedBy());
      }, Duration.ofSeconds(120), () -> "rolled back: live is " + registry.aliases(MODEL).get("live"));
      double secondsToRollback = (System.nanoTime() - promotedAt) / 1e9;
      AliasMove live = registry.aliases(MODEL).get(CommonKeys.DEFAULT_ALIAS);
      assertEquals(good, live.version(), "back to the predecessor");
      assertEquals(broken, live.previousVersion(), "moved back from the broken version");
      assertTrue(live.reason().startsWith("auto-rollback of version " + broken), live.reason());
      LoopHarness.await(() -> served(inference) == good, Duration.ofSeconds(60),
          () -> "inference swaps back to " + good + ", serves " + served(inference));
      producer.join(Duration.ofSeconds(60).toMillis());
      assertEquals(null, producing.get(), "the producer");

      TrainingEvent alert = alert(h, broken);
      double judged = alert.getMetrics().get("newEvaluated");
      assertTrue(judged <= ROLLBACK_WITHIN, "rolled back within " + ROLLBACK_WITHIN + " labeled events: " + alert);

      int total = TRAINED + SERVED_BEFORE + AFTER;
      Map<String, Integer> perId = new HashMap<>();
      Map<Long, Integer> perVersion = new HashMap<>();
      try (KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
        AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (perId.size() < total && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
            perId.merge(r.key(), 1, Integer::sum);
            perVersion.merge(serde.deserialize(null, r.value()).getModelVersion(), 1, Integer::sum);
          }
        }
        // one more fetch, so a duplicate written after the last expected prediction is seen too
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofSeconds(2))) {
          perId.merge(r.key(), 1, Integer::sum);
        }
      }
      PrometheusText scrape = PrometheusText.scrape(base);
      assertEquals(1.0, scrape.sum("streamlearn_rollbacks_total", PrometheusText.label("alias", "live")),
          "one rollback counted");
      assertTrue(scrape.sum("streamlearn_evaluations_total", PrometheusText.any()) >= TRAINED + SERVED_BEFORE,
          "evaluations counted by version, alias and leaked");
      assertEquals("gauge", scrape.family("streamlearn_served_accuracy").type());
      double goodAccuracy = scrape.sum("streamlearn_served_accuracy",
          PrometheusText.label("version", String.valueOf(good)).and(PrometheusText.label("alias", "live")));
      double brokenAccuracy = scrape.sum("streamlearn_served_accuracy",
          PrometheusText.label("version", String.valueOf(broken)).and(PrometheusText.label("alias", "live")));
      assertTrue(brokenAccuracy < goodAccuracy, "served accuracy of " + broken + " (" + brokenAccuracy
          + ") below " + good + "'s (" + goodAccuracy + ")");
      assertTrue(scrape.families().keySet().stream().anyMatch(n -> n.startsWith("kafka_stream")),
          "the Kafka Streams binder's families: " + scrape.families().keySet());
      assertEquals(200, get(base + "/health/live").statusCode(), "live");

      assertEquals(total, perId.size(), "a prediction for every event");
      List<String> twice = perId.entrySet().stream().filter(x -> x.getValue() != 1).map(Map.Entry::getKey).toList();
      assertTrue(twice.isEmpty(), "events with more than one prediction: " + twice);
      log.info("rolled back {} s after the promotion; the test judged {} labeled evaluations of version {};"
              + " {} predictions made by it in all; evidence: {}", String.format("%.2f", secondsToRollback),
          (long) judged, broken, perVersion.getOrDefault(broken, 0), live.reason());
    } finally {
      trainer.stop();
      trainer.awaitStopped(Duration.ofSeconds(60));
    }
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(ex);
    }
  }

  private static long served(InferenceService s) {
    return s.served().current() == null ? 0 : s.served().current().version().version();
  }

  /** The ALERT about rolling back {@code version} on the metrics topic (or a failure after 60 s). */
  private static TrainingEvent alert(LoopHarness h, long version) {
    AvroSerde<TrainingEvent> serde = AvroSerde.of(TrainingEvent.class);
    try (KafkaConsumer<String, byte[]> reader = h.committedReader(h.topic(CommonKeys.METRICS_TOPIC))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
          TrainingEvent t = serde.deserialize(null, r.value());
          if (t.getType() == TrainingEventType.ALERT && t.getMetrics().getOrDefault("rolledBackVersion", 0.0)
              == version) {
            return t;
          }
        }
      }
    }
    throw new AssertionError("no ALERT rolling back version " + version + " on the metrics topic");
  }
}
