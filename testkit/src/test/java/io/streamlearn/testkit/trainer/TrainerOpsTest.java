package io.streamlearn.testkit.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees of the trainer, on {@link TrainerTestDriver}: the meters {@code /metrics}
 * serves after a few batches, and the readiness rule on the driver's clock.
 */
class TrainerOpsTest {
  private static final int FEATURES = 4;
  private static final int BATCH = 16;
  private static final String MODEL = "ops";

  private static Map<String, String> config(String... overrides) {
    Map<String, String> c = new HashMap<>(Map.of(
        TrainerConfig.FEATURES, String.valueOf(FEATURES),
        TrainerConfig.LAYERS, "dense(8,relu) > dense(2,softmax)",
        TrainerConfig.LEARNING_RATE, "0.05",
        TrainerConfig.BATCH_SIZE, String.valueOf(BATCH),
        "model.name", MODEL,
        "topic.partitions", "2",
        TrainerConfig.DRIFT_DETECTOR, "none",
        TrainerConfig.PUBLISH_EVERY_MS, "3600000",
        TrainerConfig.PUBLISH_MIN_INTERVAL_MS, "0",
        TrainerConfig.GATE_MARGIN, "1"));
    c.put(TrainerConfig.CHECKPOINT_EVERY_MS, "3600000");
    for (int i = 0; i < overrides.length; i += 2) {
      c.put(overrides[i], overrides[i + 1]);
    }
    return c;
  }

  private static void pipe(TrainerTestDriver driver, GaussianBlobs blobs, int from, int count) {
    for (int i = from; i < from + count; i++) {
      Example e = blobs.next();
      driver.pipeLabeled("ev-" + i, e.features(), e.label());
    }
  }

  private static double value(MeterRegistry meters, String name) {
    return meters.get(name).tag("model", MODEL).meter().measure().iterator().next().getValue();
  }

  @Test
  void theMetersCountWhatTheTrainerDidAfterAFewBatches() {
    double holdout = 0.2;
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.HOLDOUT_FRACTION, String.valueOf(holdout),
        TrainerConfig.PUBLISH_EVERY_BATCHES, "5", TrainerConfig.CHECKPOINT_EVERY_BATCHES, "2"));
    int events = 20 * BATCH;
    pipe(driver, new GaussianBlobs(2, FEATURES, 7, 0.0), 0, events);
    String labeled = driver.settings().topics().labeled();
    driver.pipe(labeled, 0, "bad-1", "not avro".getBytes(StandardCharsets.UTF_8));
    driver.pipe(labeled, 1, "bad-2", new byte[] {(byte) 0xC3, 0x01, 7});
    driver.process();

    MeterRegistry meters = driver.meters();
    long held = IntStream.range(0, events).filter(i -> HoldOut.isHeldOut("ev-" + i, holdout)).count();
    assertEquals(events - held, value(meters, "streamlearn.examples.trained"), "every example not held out");
    assertEquals(driver.status().examplesTrained(), value(meters, "streamlearn.examples.trained"),
        "the status line says the same");
    assertEquals(held, value(meters, "streamlearn.examples.held.out"));
    assertEquals(2, value(meters, "streamlearn.examples.dead.lettered"));
    Timer batches = meters.get("streamlearn.trainer.batch.duration").tag("model", MODEL).timer();
    long fullBatches = (events - held) / BATCH;
    assertTrue(batches.count() >= fullBatches && batches.count() <= fullBatches + 4,
        "a batch timed once, short ones at chunk ends included: " + batches.count() + " for " + (events - held)
            + " examples");
    assertTrue(driver.versions().size() >= 2, "versions every 5 batches: " + driver.versions().size());
    assertEquals(driver.versions().size(), value(meters, "streamlearn.trainer.versions.published"));
    assertEquals(driver.versions().get(driver.versions().size() - 1).version(),
        value(meters, "streamlearn.trainer.last.version"));
    assertEquals(driver.checkpoints().size(), value(meters, "streamlearn.trainer.checkpoints"));
    assertEquals(0, value(meters, "streamlearn.trainer.gate.rejections"));
    assertEquals(0, value(meters, "streamlearn.trainer.rollbacks"));
    assertEquals(0.05, value(meters, "streamlearn.trainer.learning.rate"), 1e-12);
    double accuracy = value(meters, "streamlearn.trainer.prequential.accuracy");
    assertTrue(accuracy > 0.5 && accuracy <= 1, "two well-separated blobs are learned: " + accuracy);

    List<Gauge> lags = List.copyOf(meters.get("streamlearn.trainer.consumer.lag").tag("model", MODEL).gauges());
    assertEquals(2, lags.size(), "one lag per input partition");
    for (Gauge lag : lags) {
      assertEquals(labeled, lag.getId().getTag("topic"));
      assertEquals(0, lag.value(), "caught up: " + lag.getId());
    }
  }

  @Test
  void theTrainerIsUnreadyOnlyWhileRecordsWaitLongerThanTheMaximumCheckpointAge() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.CHECKPOINT_EVERY_MS, "30000",
        TrainerConfig.HEALTH_CHECKPOINT_MAX_AGE_MS, "60000", TrainerConfig.PUBLISH_EVERY_BATCHES, "1000000"));
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 8, 0.0);
    assertEquals(Optional.empty(), driver.readiness(), "assigned, and nothing waits");

    pipe(driver, blobs, 0, 10);
    driver.process();
    assertEquals(Optional.empty(), driver.readiness(), "10 records taken, the trainer just started");
    driver.advance(Duration.ofSeconds(61));
    assertEquals(Optional.of("no checkpoint committed since the trainer started 61 s ago (max 60 s) while 10"
        + " records wait"), driver.readiness());
    assertEquals(61.0, value(driver.meters(), "streamlearn.trainer.checkpoint.age"), 1e-9);

    driver.process(); // a checkpoint is due: 61 s > 30 s with records consumed
    assertEquals(1, driver.checkpoints().size());
    assertEquals(Optional.empty(), driver.readiness(), "the checkpoint is committed");
    assertEquals(0.0, value(driver.meters(), "streamlearn.trainer.checkpoint.age"), 1e-9);

    driver.advance(Duration.ofMinutes(10));
    assertEquals(Optional.empty(), driver.readiness(), "an idle input with nothing to commit stays ready");

    pipe(driver, blobs, 10, 7);
    driver.process(); // 10 min since the last checkpoint: one is due at once
    pipe(driver, blobs, 17, 5);
    driver.advance(Duration.ofSeconds(20));
    driver.process(); // 20 s < 30 s: taken, not yet checkpointed
    assertEquals(2, driver.checkpoints().size());
    driver.advance(Duration.ofSeconds(41));
    assertEquals(Optional.of("last checkpoint committed 61 s ago (max 60 s) while 5 records wait"),
        driver.readiness());
  }
}
