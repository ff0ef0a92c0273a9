package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Two trainers of one model: the second fences the first (its transactional id), the first stops
 * without committing anything more, and the second carries on from the last committed checkpoint,
 * so every example is still trained on exactly once.
 */
class TrainerFencingIT extends BrokerIT {
  private static final double HOLDOUT = 0.1;

  @Test
  void aSecondTrainerOfTheSameModelFencesTheFirstAndNothingIsTrainedTwice() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "fence");
    h.createTopics();
    GaussianBlobs blobs = new GaussianBlobs(4, 8, 11, 0.0);
    TrainerConfig config = h.trainerConfig(8, "dense(16,relu) > dense(4,softmax)", Map.of(
        TrainerConfig.CHECKPOINT_TOPIC, "trainer-state-" + h.suffix, TrainerConfig.CHECKPOINT_EVERY_BATCHES, "5",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.GATE_MARGIN, "1"));
    List<String> ids = new ArrayList<>(h.produce(blobs, 0, 4_000, 0, 1_000_000));

    Trainer first = new Trainer(config);
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    Thread firstThread = new Thread(first, "fenced-trainer");
    firstThread.setUncaughtExceptionHandler((t, e) -> firstFailure.set(e));
    firstThread.start();
    LoopHarness.await(() -> first.status().lastVersion() > 0, Duration.ofSeconds(60),
        () -> "the first trainer publishes a version: " + first.status());

    Trainer second = new Trainer(config);
    Thread secondThread = new Thread(second, "fencing-trainer");
    secondThread.start();
    try {
      // The first trainer is fenced at its next transaction: it has records to train on.
      ids.addAll(h.produce(blobs, 4_000, 4_000, 0, 4_000));
      firstThread.join(Duration.ofSeconds(60).toMillis());
      assertFalse(firstThread.isAlive(), "the fenced trainer stops by itself: " + first.status());
      assertNotNull(firstFailure.get(), "the fenced trainer ends with an error");
      assertTrue(Trainer.fenced(firstFailure.get()), "ended by fencing: " + firstFailure.get());
      ids.addAll(h.produce(blobs, 8_000, 4_000, 0, 4_000));
      long expected = ids.stream().filter(id -> !HoldOut.isHeldOut(id, HOLDOUT)).count();
      LoopHarness.await(() -> latestSeen(h) == expected || !secondThread.isAlive(), Duration.ofSeconds(120),
          () -> "the second trainer's last version has seen every example not held out: " + second.status());
      assertTrue(secondThread.isAlive(), "the second trainer runs on");
    } finally {
      second.stop();
      assertTrue(second.awaitStopped(Duration.ofSeconds(60)), "second trainer stops");
    }

    LineageAudit audit = LineageAudit.of(registry(h), "fence");
    audit.assertParentChain();
    long expected = ids.stream().filter(id -> !HoldOut.isHeldOut(id, HOLDOUT)).count();
    assertEquals(expected, audit.trained(), "examples over the lineage of both trainers' versions");
    assertEquals(ids.size(), audit.covered(), "offsets covered by the lineage");
  }

  private static long latestSeen(LoopHarness h) {
    return registry(h).latest("fence").map(v -> v.lineage().examplesSeen()).orElse(-1L);
  }

  private static RegistryState registry(LoopHarness h) {
    return RegistryReader.read(KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of()),
        h.topic(CommonKeys.MODELS_TOPIC), Duration.ofSeconds(30));
  }
}
