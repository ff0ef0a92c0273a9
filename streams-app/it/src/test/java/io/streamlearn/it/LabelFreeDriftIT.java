package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.testkit.gen.StreamGenerator;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drift without labels on a real broker: a trainer learns a stream (its versions carry the
 * reference sketch of their inputs), then the served inputs shift in two features, as feature
 * events only, with no label at all; the evaluation raises a DRIFT alert naming exactly those two.
 */
class LabelFreeDriftIT extends BrokerIT {
  private static final Logger log = LoggerFactory.getLogger(LabelFreeDriftIT.class);
  private static final int FEATURES = 6;
  private static final int TRAINING = 3_000;
  private static final int SHIFTED = 1_500;
  private static final int WINDOW = 200;
  private static final Duration ALERT_WITHIN = Duration.ofSeconds(60);

  /** The same blobs with features 1 and 3 moved by +2.5 and -2.5 standard deviations. */
  private static StreamGenerator shifted(StreamGenerator base) {
    return new StreamGenerator() {
      @Override
      public int featureCount() {
        return base.featureCount();
      }

      @Override
      public int classCount() {
        return base.classCount();
      }

      @Override
      public Example next() {
        Example e = base.next();
        float[] x = e.features();
        x[1] += 2.5f;
        x[3] -= 2.5f;
        return new Example(x, e.label());
      }
    };
  }

  @Test
  void inputsShiftedInTwoFeaturesWithNoLabelsRaiseADriftAlertNamingThem() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "labelfree");
    h.createTopics();
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 17, 0.0);
    TrainerConfig trainerConfig = h.trainerConfig(FEATURES, "dense(16,relu) > dense(2,softmax)", Map.of(
        TrainerConfig.BATCH_SIZE, "32", TrainerConfig.PUBLISH_EVERY_BATCHES, "40",
        TrainerConfig.PUBLISH_EVERY_MS, "3600000", TrainerConfig.DRIFT_DETECTOR, "none"));
    Trainer trainer = new Trainer(trainerConfig);
    Thread trainerThread = new Thread(trainer, "trainer");
    trainerThread.start();
    try (EvaluationService evaluation = new EvaluationService(new EvaluationConfig(h.evaluationSettings(
        Map.of(EvaluationConfig.DRIFT_WINDOW_EVENTS, String.valueOf(WINDOW)))).settings());
         TrainingHistory history = new TrainingHistory(kafka, h.topic(CommonKeys.METRICS_TOPIC))) {
      evaluation.start(); // it watches the labeled training stream too: inputs as trained on, no alert
      h.produce(blobs, 0, TRAINING, 0, 3_000);
      LoopHarness.await(() -> trainer.status().examplesTrained() + trainer.status().heldOut() >= TRAINING
              && trainer.status().publishedVersions() >= 1, Duration.ofSeconds(120),
          () -> "the trainer learns the stream and publishes: " + trainer.status());

      long shiftStarted = System.currentTimeMillis();
      h.produce(shifted(blobs), TRAINING, SHIFTED, 1, 1_000); // every event a FeatureEvent: no label
      long shiftProduced = System.currentTimeMillis();
      LoopHarness.await(() -> {
            history.poll();
            return !drifts(history).isEmpty();
          }, ALERT_WITHIN.plusMillis(shiftProduced - shiftStarted),
          () -> "a DRIFT alert within " + ALERT_WITHIN + " of the shift's last event; history " + history.all());
      long alerted = System.currentTimeMillis();
      history.poll();
      List<TrainingEvent> drifts = drifts(history);
      log.info("first DRIFT alert {} ms after the shift began, {} ms after its last event was produced; {} alerts: {}",
          alerted - shiftStarted, alerted - shiftProduced, drifts.size(),
          drifts.stream().map(d -> d.getMessage().toString()).toList());
      for (TrainingEvent d : drifts) {
        assertEquals(Set.of("psi.1", "psi.3"), named(d), "each alert names exactly the shifted features: "
            + d.getMessage());
        assertTrue(d.getTimestamp().toEpochMilli() >= shiftStarted,
            "no alert on inputs distributed as the training inputs: " + d.getMessage());
      }
      assertTrue(trainer.status().lastVersion() >= 1);
    } finally {
      trainer.stop();
      trainer.awaitStopped(Duration.ofSeconds(60));
    }
  }

  /** The evaluation's drift alerts (the trainer's detector is off, and its events carry no PSI). */
  private static List<TrainingEvent> drifts(TrainingHistory history) {
    return history.all().stream().filter(t -> t.getType() == TrainingEventType.DRIFT)
        .filter(t -> t.getMetrics().keySet().stream().anyMatch(k -> k.toString().equals("psi.threshold"))).toList();
  }

  private static Set<String> named(TrainingEvent e) {
    Set<String> named = new TreeSet<>();
    for (CharSequence k : e.getMetrics().keySet()) {
      if (k.toString().startsWith("psi.") && !k.toString().equals("psi.threshold")) {
        named.add(k.toString());
      }
    }
    return named;
  }
}
