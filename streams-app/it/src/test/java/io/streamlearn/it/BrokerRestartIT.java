package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * The broker stops and starts again on the same log directory while the trainer and the inference
 * service run: both reconnect and resume, and nothing is lost or duplicated.
 */
class BrokerRestartIT {
  @Test
  void appsReconnectAfterABrokerRestartAndLoseNothing() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LoopHarness h = new LoopHarness(kafka, "restart");
      GaussianBlobs stream = new GaussianBlobs(4, 8, 5, 0);
      Trainer trainer = new Trainer(h.trainerConfig(8, "dense(16,relu) > dense(4,softmax)", Map.of(
          TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.PUBLISH_EVERY_MS, "1000",
          TrainerConfig.HOLDOUT_FRACTION, "0"))); // every labeled event is trained on
      List<String> ids = new ArrayList<>();
      List<LoopHarness.Read> reads = new ArrayList<>();
      long versionBeforeRestart;
      try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()))) {
        Thread t = new Thread(trainer, "restart-trainer");
        t.start();
        inference.start();
        ids.addAll(h.produce(stream, 0, 5_000, 5, 5_000));
        LoopHarness.await(() -> trainer.status().examplesTrained() >= 4_000, Duration.ofSeconds(60),
            () -> "trainer trains before the restart: " + trainer.status());
        versionBeforeRestart = trainer.status().lastVersion();

        kafka.stop();
        Thread.sleep(3_000); // the outage itself: clients must ride it out
        kafka.restart();

        ids.addAll(h.produce(stream, 5_000, 5_000, 5, 5_000));
        try (KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
          LoopHarness.pollUntil(reader, reads, () -> reads.size() >= ids.size(), Duration.ofSeconds(180));
        }
        LoopHarness.await(() -> trainer.status().lastVersion() > versionBeforeRestart + 1,
            Duration.ofSeconds(60), () -> "trainer publishes after the restart: " + trainer.status());
        assertTrue(t.isAlive(), "trainer thread still running");
        trainer.stop();
        assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer stops");
      }
      Map<String, Integer> counts = new HashMap<>();
      reads.forEach(r -> counts.merge(r.prediction().getId(), 1, Integer::sum));
      assertEquals(ids.size(), counts.size(), "every event predicted across the broker restart");
      assertEquals(ids.size(), reads.size(), "no duplicate prediction across the broker restart");
      RegistryState registry = RegistryReader.read(kafka.clientProperties(), h.topic(CommonKeys.MODELS_TOPIC),
          Duration.ofSeconds(30));
      long labeled = ids.size() - ids.size() / 5;
      long trained = registry.versions("restart").values().stream()
          .mapToLong(v -> v.lineage().examplesSinceParent()).sum();
      assertEquals(labeled, trained, "lineage covers each labeled event exactly once");
      org.slf4j.LoggerFactory.getLogger(BrokerRestartIT.class).info(
          "observed: {} events -> {} predictions ({} distinct), {} versions, {} examples in the lineage",
          ids.size(), reads.size(), counts.size(), registry.versions("restart").size(), trained);
    }
  }
}
