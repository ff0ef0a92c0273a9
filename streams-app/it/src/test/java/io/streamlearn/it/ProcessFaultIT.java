package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.TrainerConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the trainer and of one of two inference instances, each a child JVM, at
 * seeded random moments while a stream flows; each is restarted. The accounting invariant holds:
 * every event has exactly one prediction, versions are published in order, and the lineage of the
 * versions covers each labeled offset exactly once.
 */
class ProcessFaultIT {
  private static final int EVENTS = 24_000;
  private static final int RATE = 500;

  @Test
  void killNineOfTrainerAndAnInferenceInstanceLosesAndDuplicatesNothing() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LoopHarness h = new LoopHarness(kafka, "chaos");
      h.createTopics();
      List<String> trainArgs = args(h, "train", Map.of(TrainerConfig.FEATURES, "8",
          TrainerConfig.LAYERS, "dense(16,relu) > dense(4,softmax)", TrainerConfig.LEARNING_RATE, "0.01",
          TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.PUBLISH_EVERY_MS, "1000",
          TrainerConfig.HOLDOUT_FRACTION, "0")); // every labeled event is trained on
      try (ChildApp trainer = new ChildApp("trainer", trainArgs);
           ChildApp serveA = new ChildApp("serve-a", serveArgs(h));
           ChildApp serveB = new ChildApp("serve-b", serveArgs(h));
           KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
        trainer.start();
        serveA.start();
        serveB.start();
        ExecutorService producer = Executors.newSingleThreadExecutor();
        Future<List<String>> produced = producer.submit(
            () -> h.produce(new GaussianBlobs(4, 8, 21, 0), 0, EVENTS, 5, RATE));
        Random chaos = new Random(20261121);
        for (int round = 0; round < 3; round++) {
          // Each fault hits a working trainer: wait until the running one publishes, then kill it
          // at a random moment (child JVMs take seconds to start on a loaded machine).
          long before = latestVersion(h);
          LoopHarness.await(() -> latestVersion(h) > before, Duration.ofSeconds(180),
              () -> "the trainer publishes a version after " + before + "; see " + trainer.log());
          Thread.sleep(chaos.nextInt(1_500));
          trainer.kill();
          Thread.sleep(chaos.nextInt(1_000));
          serveA.kill();
          Thread.sleep(chaos.nextInt(1_000));
          trainer.start();
          serveA.start();
        }
        List<String> ids = produced.get();
        producer.shutdown();
        long labeled = ids.size() - ids.size() / 5;
        LoopHarness.await(() -> examplesSeen(h) == labeled, Duration.ofSeconds(240),
            () -> "the restarted trainer catches up: " + examplesSeen(h) + " of " + labeled + "; see " + trainer.log());
        List<LoopHarness.Read> reads = new ArrayList<>();
        LoopHarness.pollUntil(reader, reads, () -> reads.size() >= ids.size(), Duration.ofSeconds(240));
        assertTrue(trainer.isAlive() && serveA.isAlive() && serveB.isAlive(), "all children running at the end");
        assertTrue(trainer.stopGracefully(), "trainer stops on SIGTERM");

        Map<String, Integer> counts = new HashMap<>();
        reads.forEach(r -> counts.merge(r.prediction().getId(), 1, Integer::sum));
        List<String> missing = ids.stream().filter(id -> !counts.containsKey(id)).limit(10).toList();
        assertTrue(missing.isEmpty(), "events without prediction (first 10): " + missing
            + "; logs in " + serveA.log().getParent());
        assertEquals(ids.size(), reads.size(), "exactly one prediction per event (duplicates: "
            + counts.entrySet().stream().filter(e -> e.getValue() > 1).limit(10).toList() + ")");
        assertEquals(4, trainer.starts(), "the trainer was killed and restarted 3 times");

        RegistryState registry = RegistryReader.read(kafka.clientProperties(), h.topic(CommonKeys.MODELS_TOPIC),
            Duration.ofSeconds(30));
        assertLineageExactlyOnce(registry, ids.size() - ids.size() / 5);
        org.slf4j.LoggerFactory.getLogger(ProcessFaultIT.class).info(
            "observed: {} events -> {} predictions ({} distinct); trainer started {} times, inference A {}"
                + " times; {} versions", ids.size(), reads.size(), counts.size(), trainer.starts(),
            serveA.starts(), registry.versions("chaos").size());
      }
    }
  }

  private static long latestVersion(LoopHarness h) {
    return RegistryReader.read(h.kafka.clientProperties(), h.topic(CommonKeys.MODELS_TOPIC), Duration.ofSeconds(10))
        .latestVersionNumber("chaos");
  }

  private static long examplesSeen(LoopHarness h) {
    return RegistryReader.read(h.kafka.clientProperties(), h.topic(CommonKeys.MODELS_TOPIC), Duration.ofSeconds(10))
        .latest("chaos").map(v -> v.lineage().examplesSeen()).orElse(0L);
  }

  private static void assertLineageExactlyOnce(RegistryState registry, long labeled) {
    LineageAudit audit = LineageAudit.of(registry, "chaos");
    assertEquals(labeled, audit.trained(), "examples trained over the lineage of all versions");
    assertEquals(labeled, audit.covered(), "offsets covered by the lineage");
  }

  private List<String> serveArgs(LoopHarness h) throws Exception {
    return args(h, "serve", Map.of(InferenceConfig.APPLICATION_ID, "chaos-inference-" + h.suffix,
        InferenceConfig.STATE_DIR, Files.createTempDirectory("chaos-state-").toString()));
  }

  private static List<String> args(LoopHarness h, String command, Map<String, String> extra) {
    Map<String, String> all = new HashMap<>(h.common);
    all.putAll(extra);
    return ChildApp.commandLine(command, all);
  }
}
