package io.streamlearn.testkit.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.drift.FeatureReference;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.TrainerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drift without labels, the trainer's side: each version carries the reference sketch of its inputs. */
class ReferenceSketchTrainerTest {
  private static final int FEATURES = 4;
  private static final int BATCH = 16;

  private static Map<String, String> config(String... overrides) {
    Map<String, String> c = new HashMap<>(Map.of(
        TrainerConfig.FEATURES, String.valueOf(FEATURES),
        TrainerConfig.LAYERS, "dense(8,relu) > dense(2,softmax)",
        TrainerConfig.BATCH_SIZE, String.valueOf(BATCH),
        "topic.partitions", "1",
        TrainerConfig.HOLDOUT_FRACTION, "0",
        TrainerConfig.DRIFT_DETECTOR, "none",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "5",
        TrainerConfig.PUBLISH_EVERY_MS, "3600000",
        TrainerConfig.PUBLISH_MIN_INTERVAL_MS, "0"));
    c.put(TrainerConfig.CHECKPOINT_EVERY_BATCHES, "1");
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

  private static FeatureReference reference(ModelVersion v) {
    return FeatureReference.parse(v.annotations().get(FeatureReference.ANNOTATION));
  }

  @Test
  void everyPublishedVersionCarriesTheSketchOfAllInputsTrainedSoFarWithBinsFixedAtTheFirst() {
    TrainerTestDriver driver = new TrainerTestDriver(config());
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 3, 0.0);
    pipe(driver, blobs, 0, 10 * BATCH);
    driver.process();
    List<ModelVersion> versions = driver.versions();
    assertEquals(2, versions.size(), "one version per 5 batches");
    FeatureReference first = reference(versions.get(0));
    FeatureReference second = reference(versions.get(1));
    assertEquals(5 * BATCH, first.examples());
    assertEquals(10 * BATCH, second.examples());
    assertEquals(FEATURES, second.sketched());
    assertEquals(10, second.bins());
    for (int f = 0; f < FEATURES; f++) {
      assertArrayEquals(first.cuts()[f], second.cuts()[f], "feature " + f + "'s bins do not move");
    }
  }

  @Test
  void theSketchSurvivesAKillInTheCheckpointAndCountsEveryExampleOnce() {
    TrainerTestDriver driver = new TrainerTestDriver(config());
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 5, 0.0);
    pipe(driver, blobs, 0, 7 * BATCH);
    driver.process();
    FeatureReference before = reference(driver.versions().get(0));
    driver.restart(); // kill -9: the open transaction is lost, the checkpoint and its offsets remain
    pipe(driver, blobs, 7 * BATCH, 10 * BATCH);
    driver.process();
    List<ModelVersion> versions = driver.versions();
    ModelVersion last = versions.get(versions.size() - 1);
    assertTrue(last.lineage().examplesSeen() > 7 * BATCH, "a version after the kill: " + last.lineage());
    FeatureReference after = reference(last);
    assertEquals(last.lineage().examplesSeen(), after.examples(),
        "the checkpointed sketch went on: every example the version has seen, none counted twice");
    for (int f = 0; f < FEATURES; f++) {
      assertArrayEquals(before.cuts()[f], after.cuts()[f], "feature " + f + "'s bins survive the kill");
    }
  }

  @Test
  void columnsPastTheCapAreLeftUnsketchedAndZeroTurnsTheSketchOff() {
    TrainerTestDriver capped = new TrainerTestDriver(config(TrainerConfig.REFERENCE_MAX_FEATURES, "3"));
    pipe(capped, new GaussianBlobs(2, FEATURES, 7, 0.0), 0, 5 * BATCH);
    capped.process();
    FeatureReference ref = reference(capped.versions().get(0));
    assertEquals(3, ref.sketched());
    assertArrayEquals(new int[] {3, FEATURES}, ref.unsketched());

    TrainerTestDriver off = new TrainerTestDriver(config(TrainerConfig.REFERENCE_MAX_FEATURES, "0"));
    pipe(off, new GaussianBlobs(2, FEATURES, 7, 0.0), 0, 5 * BATCH);
    off.process();
    assertFalse(off.versions().get(0).annotations().containsKey(FeatureReference.ANNOTATION));
  }
}
