package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.KafkaAcls;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * The loop on a broker that takes only SASL/SCRAM over TLS and enforces ACLs: the apps get their
 * credentials solely through pass-through Kafka properties ({@code kafka.*}, i.e.
 * {@code --kafka-property}) and work with just the ACLs the README documents.
 */
class SecureLoopIT {
  @Test
  void trainerAndInferenceWorkOverSaslSslWithTheDocumentedAcls() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startSecured()) {
      KafkaAcls.grantApp(kafka, kafka.security().clientUser());
      LoopHarness h = new LoopHarness(kafka, "secure");
      Trainer trainer = new Trainer(h.trainerConfig(8, "dense(4,softmax)", Map.of(
          TrainerConfig.PUBLISH_EVERY_BATCHES, "5", TrainerConfig.PUBLISH_EVERY_MS, "1000")));
      List<LoopHarness.Read> reads = new ArrayList<>();
      List<String> ids;
      try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()));
           KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
        Thread t = new Thread(trainer, "secure-trainer");
        t.start();
        inference.start();
        ids = h.produce(new GaussianBlobs(4, 8, 3, 0), 0, 3_000, 4, 3_000);
        LoopHarness.pollUntil(reader, reads, () -> reads.size() >= ids.size(), Duration.ofSeconds(90));
        trainer.stop();
        assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer stops");
      }
      assertEquals(new HashSet<>(ids), new HashSet<>(reads.stream().map(r -> r.prediction().getId()).toList()),
          "every event predicted over SASL_SSL");
      assertEquals(ids.size(), reads.size(), "exactly one prediction per event");
      assertTrue(trainer.status().publishedVersions() >= 1, "versions published: " + trainer.status());
      RegistryState registry = RegistryReader.read(kafka.clientProperties(), h.topic(CommonKeys.MODELS_TOPIC),
          Duration.ofSeconds(30));
      for (ModelVersion v : registry.versions("secure").values()) {
        Map<String, String> recorded = v.lineage().hyperparameters();
        assertEquals("SASL_SSL", recorded.get("kafka.security.protocol"), "the lineage records the client settings");
        for (String secret : List.of(kafka.security().clientPassword(), kafka.security().storePassword())) {
          assertTrue(recorded.values().stream().noneMatch(value -> value.contains(secret)),
              "version " + v.version() + "'s lineage holds a password: " + recorded);
        }
      }
    }
  }
}
