package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.testkit.gen.RotatingHyperplane;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An abrupt concept change (the rotating hyperplane flips every label) must be detected within
 * 2,000 events, and the prequential accuracy must recover to at least 0.9 of its value before the
 * change within 10,000 events. One partition, so the trainer sees the events in production order.
 */
class DriftIT extends BrokerIT {
  private static final Logger log = LoggerFactory.getLogger(DriftIT.class);
  private static final int FEATURES = 10;
  private static final int BEFORE_FLIP = 20_000;
  private static final int AFTER_FLIP = 14_000;
  private static final double HOLDOUT = 0.1;
  /** The prequential window (the trainer's default). */
  private static final int WINDOW = 1000;

  @Test
  void aFlippedConceptIsDetectedAndLearnedAgain() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "drift");
    h.common.put(CommonKeys.TOPIC_PARTITIONS, "1");
    kafka.createTopic(h.topic(CommonKeys.LABELED_TOPIC), 1, Map.of());
    RotatingHyperplane hyperplane = new RotatingHyperplane(FEATURES, 5, 0.0, 0.0);
    h.produce(hyperplane, 0, BEFORE_FLIP, 0, 1_000_000);
    hyperplane.flip();
    h.produce(hyperplane, BEFORE_FLIP, AFTER_FLIP, 0, 1_000_000);
    int total = BEFORE_FLIP + AFTER_FLIP;

    TrainerConfig config = h.trainerConfig(FEATURES, "dense(16,relu) > dense(2,softmax)", Map.of(
        TrainerConfig.CHECKPOINT_TOPIC, "trainer-state-" + h.suffix,
        TrainerConfig.HOLDOUT_FRACTION, String.valueOf(HOLDOUT),
        TrainerConfig.CHECKPOINT_EVERY_BATCHES, "4",
        // only batch counts trigger checkpoints and versions: the run is the same every time
        TrainerConfig.CHECKPOINT_EVERY_MS, "600000", TrainerConfig.PUBLISH_EVERY_MS, "600000",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "50", TrainerConfig.PREQUENTIAL_WINDOW, String.valueOf(WINDOW)));
    long trainedBeforeFlip = trainedAmong(0, BEFORE_FLIP);
    long trainedTotal = trainedAmong(0, total);
    Trainer trainer = new Trainer(config);
    Thread thread = new Thread(trainer, "drift-trainer");
    thread.start();
    try (TrainingHistory history = new TrainingHistory(kafka, h.topic(CommonKeys.METRICS_TOPIC))) {
      LoopHarness.await(() -> {
        history.poll();
        return history.maxExamplesSeen() > trainedTotal - 5 * 64 || !thread.isAlive();
      }, Duration.ofSeconds(120), () -> "the trainer's history reaches " + trainedTotal
          + " examples (less a checkpoint period), it is at " + history.maxExamplesSeen());
      trainer.stop();
      assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer stops");
      List<TrainingEvent> events = history.all();

      TrainingEvent drift = events.stream()
          .filter(e -> e.getType() == TrainingEventType.DRIFT && e.getExamplesSeen() > trainedBeforeFlip)
          .findFirst().orElseThrow(() -> new AssertionError("no DRIFT record after the flip at example "
              + trainedBeforeFlip + "; drifts: " + ofType(events, TrainingEventType.DRIFT)));
      long detectionBound = trainedAmong(0, BEFORE_FLIP + 2_000);
      assertTrue(drift.getExamplesSeen() <= detectionBound, "drift detected at example "
          + drift.getExamplesSeen() + ", expected within 2,000 events of the flip (example " + detectionBound
          + "): " + drift.getMessage());
      List<TrainingEvent> early = ofType(events, TrainingEventType.DRIFT).stream()
          .filter(e -> e.getExamplesSeen() <= trainedBeforeFlip && e.getExamplesSeen() > 5_000).toList();
      assertEquals(List.of(), early, "no drift reported on the stable concept after the first 5,000 examples");

      List<TrainingEvent> progress = ofType(events, TrainingEventType.PROGRESS);
      TrainingEvent before = progress.stream().filter(e -> e.getExamplesSeen() <= trainedBeforeFlip)
          .reduce((a, b) -> b).orElseThrow();
      double preDrift = before.getMetrics().get("prequentialAccuracy");
      assertTrue(preDrift > 0.9, "the concept is learned before the flip: prequential accuracy " + preDrift);
      long recoveryBound = trainedAmong(0, BEFORE_FLIP + 10_000);
      // Judge only windows made entirely of predictions after the flip.
      Optional<TrainingEvent> recovered = progress.stream()
          .filter(e -> e.getExamplesSeen() >= trainedBeforeFlip + WINDOW
              && e.getMetrics().get("prequentialAccuracy") >= 0.9 * preDrift)
          .findFirst();
      double worst = progress.stream().filter(e -> e.getExamplesSeen() > trainedBeforeFlip)
          .mapToDouble(e -> e.getMetrics().get("prequentialAccuracy")).min().orElse(1);
      assertTrue(worst < 0.9 * preDrift, "the flip hurts before it is learned: lowest windowed accuracy after it "
          + worst);
      log.info("flip after trained example {}; drift detected at {}; pre-drift accuracy {}; lowest after {};"
              + " recovered at {}", trainedBeforeFlip, drift.getExamplesSeen(), preDrift, worst, recovered.map(e -> e.getExamplesSeen() + " ("
              + e.getMetrics().get("prequentialAccuracy") + ")").orElse("never"));
      assertTrue(recovered.isPresent() && recovered.get().getExamplesSeen() <= recoveryBound,
          "prequential accuracy back to >= 0.9 x " + preDrift + " by example " + recoveryBound
              + " (10,000 events after the flip), found " + recovered.map(e -> "at example "
              + e.getExamplesSeen() + ": " + e.getMetrics().get("prequentialAccuracy")).orElse("never"));
      assertTrue(ofType(events, TrainingEventType.PUBLISHED).stream()
              .anyMatch(e -> e.getExamplesSeen() > drift.getExamplesSeen()),
          "a version is published after the drift");
    } finally {
      trainer.stop();
    }
  }

  /** Events with index in [from, until) the trainer trains on (not held out). */
  private static long trainedAmong(int from, int until) {
    return IntStream.range(from, until).filter(i -> !HoldOut.isHeldOut("ev-" + i, HOLDOUT)).count();
  }

  private static List<TrainingEvent> ofType(List<TrainingEvent> events, TrainingEventType type) {
    return events.stream().filter(e -> e.getType() == type).toList();
  }

}
