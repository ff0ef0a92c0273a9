package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.HoldOut;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once training across real crashes: the trainer runs as a child JVM ({@code streamlearn
 * train}) and is killed with SIGKILL ({@link Process#destroyForcibly()}) at three seeded random
 * moments while a stream of 100,000 events is produced; each time it is restarted. At the end the
 * lineage of the published versions must account for every event exactly once.
 */
class TrainerCrashIT extends BrokerIT {
  private static final int EVENTS = 100_000;
  private static final int FEATURES = 8;
  private static final int KILLS = 3;
  private static final double HOLDOUT = 0.1;

  @Test
  void killedThreeTimesTheLineageCoversEveryEventExactlyOnce() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "crash");
    String checkpointTopic = "trainer-state-" + h.suffix;
    List<String> args = new ArrayList<>(List.of("train"));
    h.common.forEach((k, v) -> args.addAll(List.of("--" + k.replace('.', '-'), v)));
    args.addAll(List.of("--checkpoint-topic", checkpointTopic,
        "--features", String.valueOf(FEATURES), "--layers", "dense(16,relu) > dense(4,softmax)",
        "--learning-rate", "0.01", "--holdout-fraction", String.valueOf(HOLDOUT),
        "--checkpoint-every-batches", "20", "--checkpoint-every-ms", "500",
        "--publish-every-batches", "60", "--publish-every-ms", "1000",
        // every finite candidate passes, so the last version's lineage reaches the end of the stream
        "--gate-margin", "1"));
    Random random = new Random(20261121L);
    Path logs = Path.of("target", "crash-it-" + h.suffix);
    logs.toFile().mkdirs();

    ExecutorService producerThread = Executors.newSingleThreadExecutor();
    Future<List<String>> produced = producerThread.submit(
        () -> h.produce(new GaussianBlobs(4, FEATURES, 11, 0.0), 0, EVENTS, 0, 2_000));
    List<String> kills = new ArrayList<>();
    try (TrainingHistory history = new TrainingHistory(kafka, h.topic(CommonKeys.METRICS_TOPIC))) {
      for (int run = 0; run < KILLS; run++) {
        long launched = System.currentTimeMillis();
        Process trainer = launch(args, logs.resolve("run-" + run + ".log").toFile());
        // Kill at a random moment after this run has resumed and committed at least once.
        int r = run;
        LoopHarness.await(() -> history.poll().stream().anyMatch(e -> e.getType() == TrainingEventType.PROGRESS
                && e.getTimestamp().toEpochMilli() >= launched) || !trainer.isAlive(),
            Duration.ofSeconds(90), () -> "trainer run " + r + " commits a checkpoint; see " + logs);
        long delay = 200 + random.nextInt(2_500);
        assertFalse(trainer.waitFor(delay, TimeUnit.MILLISECONDS),
            "trainer run " + run + " exited by itself before it was killed; see " + logs);
        trainer.destroyForcibly(); // SIGKILL: no shutdown hook, no final commit
        assertTrue(trainer.waitFor(30, TimeUnit.SECONDS), "killed trainer run " + run + " is gone");
        kills.add(delay + " ms after its first checkpoint, at about " + history.maxExamplesSeen() + " examples");
      }
    }
    assertFalse(produced.isDone(), "the stream is still being produced after the last kill");
    Process last = launch(args, logs.resolve("run-last.log").toFile());
    try {
      List<String> ids = produced.get(120, TimeUnit.SECONDS);
      long expected = ids.stream().filter(id -> !HoldOut.isHeldOut(id, HOLDOUT)).count();
      var props = KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of());
      String modelsTopic = h.topic(CommonKeys.MODELS_TOPIC);
      long[] seen = {-1};
      LoopHarness.await(() -> {
        seen[0] = RegistryReader.read(props, modelsTopic, Duration.ofSeconds(30)).latest("crash")
            .map(v -> v.lineage().examplesSeen()).orElse(-1L);
        return seen[0] >= expected || !last.isAlive();
      }, Duration.ofSeconds(120), () -> "the last version has seen " + seen[0] + " examples, expected "
          + expected + " (kills: " + kills + ")");
      assertTrue(last.isAlive(), "the last trainer run is still running; see " + logs);

      RegistryState registry = RegistryReader.read(props, modelsTopic, Duration.ofSeconds(30));
      assertLineage(registry, expected, EVENTS);
    } finally {
      last.destroy(); // SIGTERM: the trainer stops cleanly
      if (!last.waitFor(60, TimeUnit.SECONDS)) {
        last.destroyForcibly();
      }
      producerThread.shutdownNow();
    }
  }

  private static void assertLineage(RegistryState registry, long expectedTrained, long events) {
    // at least one version per run, so the audit spans every restart; how many more depends on how
    // fast a loaded machine trains between kills (8 of 9 once seen at load 19 on 2 cores)
    assertTrue(registry.versions("crash").size() >= KILLS + 1, "versions published across the runs: "
        + registry.versions("crash").keySet());
    LineageAudit audit = LineageAudit.of(registry, "crash");
    audit.assertParentChain();
    long trained = 0;
    for (ModelVersion v : audit.versions()) {
      trained += v.lineage().examplesSinceParent();
      assertEquals(trained, v.lineage().examplesSeen(),
          v.key() + ": examplesSeen equals the examples over the lineage up to it");
      v.verifyChecksum();
    }
    assertEquals(expectedTrained, audit.trained(),
        "examples over the lineage of all versions = events produced minus hold-out");
    assertEquals(events, audit.covered(), "offsets covered by the lineage ranges = events produced");
  }

  private static Process launch(List<String> args, File log) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "io.streamlearn.cli.Main"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
    pb.environment().put("OMP_NUM_THREADS", "1");
    return pb.start();
  }
}
