package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.testkit.RandomModels;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.gen.GaussianBlobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Promotion and rollback through the registry API while an inference service runs: serving
 * follows each alias move, including to a version over 1 MB stored in chunks, and predictions
 * name the version the alias points at.
 */
class RegistryServingIT extends BrokerIT {
  private static final Logger log = LoggerFactory.getLogger(RegistryServingIT.class);
  private static final int FEATURES = 8;
  private static final String SMALL = "dense(16,relu) > dense(4,softmax)";
  /** 8x512 + 512x512 + 512x4 weights: 1.07 MB, stored in 2 chunks. */
  private static final String LARGE = "dense(512,relu) > dense(512,relu) > dense(4,softmax)";

  @Test
  void servingFollowsPromotionsAndRollbacks() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "served");
    Map<String, Object> client = KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of());
    KafkaSupport.ensureTopics(client, (short) -1, List.of(KafkaSupport.registryTopic(h.topic(CommonKeys.MODELS_TOPIC))));
    List<Long> followMillis = new ArrayList<>();
    try (KafkaRegistry registry = KafkaRegistry.open(client, h.topic(CommonKeys.MODELS_TOPIC));
         InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()))) {
      registry.publish(RandomModels.random("served", 1, FEATURES, SMALL, 1, Map.of("holdoutAccuracy", 0.7)));
      registry.publish(RandomModels.random("served", 2, FEATURES, SMALL, 2, Map.of("holdoutAccuracy", 0.8)));
      ModelVersion large = RandomModels.random("served", 3, FEATURES, LARGE, 3, Map.of("holdoutAccuracy", 0.9));
      assertTrue(large.tensorBytes() > 1_000_000, "version 3 is over 1 MB: " + large.tensorBytes());
      registry.publish(large);
      assertTrue(registry.read(s -> s.chunking("served", 3)).isPresent(), "version 3 is stored in chunks");
      inference.start();
      LoopHarness.await(() -> inference.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING,
          Duration.ofSeconds(60), () -> "inference runs, state " + inference.state());

      long[] expected = {1, 2, 3, 2, 1};
      for (int step = 0; step < expected.length; step++) {
        long want = expected[step];
        long movedAt = System.nanoTime();
        if (step < 3) {
          registry.promote("served", want, "it", "step " + step);
        } else {
          assertEquals(want, registry.rollback("served", "live", "it", "step " + step).version(),
              "rollback target at step " + step);
        }
        LoopHarness.await(() -> inference.served().current() != null
                && inference.served().current().version().version() == want, Duration.ofSeconds(30),
            () -> "serving follows live to version " + want + ", serves "
                + (inference.served().current() == null ? "nothing" : inference.served().current().version().key()));
        followMillis.add((System.nanoTime() - movedAt) / 1_000_000);
      }
      log.info("serving followed the alias moves {} in {} ms (move returned -> swapped)",
          java.util.Arrays.toString(expected), followMillis);
      assertEquals(0, inference.served().refused(), "no version refused");
      assertEquals(5, inference.served().swaps(), "one swap per alias move, one of them to the chunked version");

      List<String> ids = h.produce(new GaussianBlobs(4, FEATURES, 7, 0.0), 0, 50, 2, 1000);
      List<LoopHarness.Read> reads = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
        LoopHarness.pollUntil(reader, reads, () -> reads.size() >= ids.size(), Duration.ofSeconds(60));
      }
      assertEquals(ids.size(), reads.size(), "one prediction per event");
      assertTrue(reads.stream().allMatch(r -> r.prediction().getModelVersion() == 1),
          "predictions come from the rolled-back-to version 1: "
              + reads.stream().map(r -> r.prediction().getModelVersion()).distinct().toList());
    }
  }
}
