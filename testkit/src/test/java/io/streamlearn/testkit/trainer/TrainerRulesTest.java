package io.streamlearn.testkit.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.onnx.OnnxExporter;
import io.streamlearn.onnx.OnnxImporter;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.testkit.RandomModels;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.TrainerConfig;
import io.streamlearn.train.TrainerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's stream rules on {@link TrainerTestDriver}: no broker, no threads, a clock that
 * moves only when told. The {@code *IT}s keep what needs a broker (transactions, kill -9, fencing).
 */
class TrainerRulesTest {
  private static final int FEATURES = 4;
  private static final int BATCH = 16;

  /** A small classifier on one partition; versions only when a test's rule makes them due. */
  static Map<String, String> config(String... overrides) {
    Map<String, String> c = new HashMap<>(Map.of(
        TrainerConfig.FEATURES, String.valueOf(FEATURES),
        TrainerConfig.LAYERS, "dense(8,relu) > dense(2,softmax)",
        TrainerConfig.LEARNING_RATE, "0.05",
        TrainerConfig.BATCH_SIZE, String.valueOf(BATCH),
        "topic.partitions", "1",
        TrainerConfig.HOLDOUT_FRACTION, "0",
        TrainerConfig.DRIFT_DETECTOR, "none",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "1000000",
        TrainerConfig.PUBLISH_EVERY_MS, "3600000",
        TrainerConfig.PUBLISH_MIN_INTERVAL_MS, "0"));
    c.put(TrainerConfig.CHECKPOINT_EVERY_MS, "3600000");
    for (int i = 0; i < overrides.length; i += 2) {
      c.put(overrides[i], overrides[i + 1]);
    }
    return c;
  }

  /** Pipes {@code count} examples of a two-class concept; {@code flip} swaps the labels of the ids it names. */
  private static void pipe(TrainerTestDriver driver, GaussianBlobs blobs, String prefix, int from, int count,
                           java.util.function.Predicate<String> flip) {
    for (int i = from; i < from + count; i++) {
      Example e = blobs.next();
      String id = prefix + i;
      driver.pipeLabeled(id, e.features(), flip.test(id) ? 1 - e.label() : e.label());
    }
  }

  private static long examplesIn(List<ModelVersion> versions) {
    return versions.stream().mapToLong(v -> v.lineage().examplesSinceParent()).sum();
  }

  @Test
  void aVersionIsPublishedEveryNBatches() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "5"));
    pipe(driver, new GaussianBlobs(2, FEATURES, 1, 0.0), "ev-", 0, 15 * BATCH, id -> false);
    driver.process();
    List<ModelVersion> versions = driver.versions();
    assertEquals(3, versions.size(), "15 batches at one version per 5: " + versions);
    for (ModelVersion v : versions) {
      assertEquals(5 * BATCH, v.lineage().examplesSinceParent(), v.key() + " trained on 5 batches");
    }
    assertEquals(versions.get(2).version(), driver.aliased().orElseThrow().version(), "the alias follows");
  }

  @Test
  void versionsComeNoCloserTogetherThanTheMinimumInterval() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "1",
        TrainerConfig.PUBLISH_MIN_INTERVAL_MS, "1000", TrainerConfig.GATE_MARGIN, "1"));
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 2, 0.0);
    pipe(driver, blobs, "ev-", 0, 10 * BATCH, id -> false);
    driver.process();
    assertEquals(0, driver.versions().size(), "ten batches due at once, but not a second has passed");
    driver.advance(Duration.ofMillis(1000));
    driver.process();
    assertEquals(1, driver.versions().size(), "the interval has passed");
    pipe(driver, blobs, "ev-", 10 * BATCH, 10 * BATCH, id -> false);
    driver.advance(Duration.ofMillis(999));
    driver.process();
    assertEquals(1, driver.versions().size(), "999 ms after the last version");
    driver.advance(Duration.ofMillis(1));
    driver.process();
    List<ModelVersion> versions = driver.versions();
    assertEquals(2, versions.size(), "1000 ms after the last version");
    assertEquals(Duration.ofSeconds(1), Duration.between(versions.get(0).createdAt(), versions.get(1).createdAt()));
    assertEquals(20 * BATCH, examplesIn(versions), "every example is in a version all the same");
  }

  @Test
  void theValidationGateKeepsACandidateWorseThanLiveFromPublishing() {
    double holdout = 0.2;
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "20",
        TrainerConfig.HOLDOUT_FRACTION, String.valueOf(holdout), TrainerConfig.HOLDOUT_SIZE, "200",
        TrainerConfig.HOLDOUT_MIN_EXAMPLES, "50", TrainerConfig.GATE_MARGIN, "0.05",
        TrainerConfig.PLATEAU_PATIENCE, "0"));
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 3, 0.0);
    pipe(driver, blobs, "ev-", 0, 1_500, id -> false);
    driver.process();
    driver.stop(); // publishes the rest: the live version has seen every example of the concept
    driver.restart();
    int published = driver.versions().size();
    assertTrue(published >= 2, "the concept is learned and published: " + driver.versions().size());
    // Trained on swapped labels, measured on the true ones: every candidate is worse than live.
    pipe(driver, blobs, "ev-", 1_500, 3_000, id -> !HoldOut.isHeldOut(id, holdout));
    driver.process();
    List<TrainingEvent> rejected = driver.trainingEvents(TrainingEventType.REJECTED);
    assertEquals(published, driver.versions().size(), "no version after the labels swapped; rejected: "
        + rejected.stream().map(TrainingEvent::getMessage).toList());
    assertTrue(rejected.size() >= 3, "candidates judged and rejected: " + rejected.size());
    assertTrue(rejected.get(0).getMessage().contains("hold-out accuracy"), rejected.get(0).getMessage());
  }

  @Test
  void aNonFiniteLossRollsBackDeadLettersTheBatchAndNeverPublishesPoison() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "4",
        TrainerConfig.CHECKPOINT_EVERY_BATCHES, "2", TrainerConfig.GATE_MARGIN, "1"));
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 4, 0.0);
    int events = 40 * BATCH;
    Set<String> poisoned = Set.of("ev-300", "ev-301", "ev-302");
    for (int i = 0; i < events; i++) {
      Example e = blobs.next();
      float[] x = e.features();
      if (poisoned.contains("ev-" + i)) {
        Arrays.fill(x, Float.MAX_VALUE); // finite, so it passes the input checks, but overflows
      }
      driver.pipeLabeled("ev-" + i, x, e.label());
    }
    driver.process();
    driver.stop();
    List<TrainerTestDriver.DeadLetter> deadLetters = driver.deadLetters();
    Set<String> dead = deadLetters.stream().map(TrainerTestDriver.DeadLetter::key).collect(Collectors.toSet());
    assertTrue(dead.containsAll(poisoned), "the poisoned events are dead letters: " + dead);
    assertEquals(BATCH, dead.size(), "exactly the discarded batch is dead-lettered");
    deadLetters.forEach(d -> assertTrue(d.reason().contains("not finite"), d.reason()));
    assertEquals(1, driver.trainingEvents(TrainingEventType.ALERT).size(), "one ALERT in the history");
    assertEquals(1, driver.status().discardedBatches());
    List<ModelVersion> versions = driver.versions();
    versions.forEach(ModelVersion::verifyChecksum);
    for (ModelVersion v : versions) {
      v.tensors().forEach(t -> {
        for (float w : t.data()) {
          assertTrue(Float.isFinite(w), v.key() + " has a non-finite weight");
        }
      });
    }
    assertEquals(events - BATCH, examplesIn(versions), "every example but the discarded batch is in a version");
    assertEquals(events, driver.committedOffsets().values().stream().mapToLong(Long::longValue).sum(),
        "every offset is committed");
  }

  @Test
  void theHoldOutShareIsNeverTrainedOn() {
    double holdout = 0.3;
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "5",
        TrainerConfig.HOLDOUT_FRACTION, String.valueOf(holdout), TrainerConfig.GATE_MARGIN, "1"));
    int events = 2_000;
    pipe(driver, new GaussianBlobs(2, FEATURES, 5, 0.0), "ev-", 0, events, id -> false);
    driver.process();
    driver.stop();
    long held = java.util.stream.IntStream.range(0, events).filter(i -> HoldOut.isHeldOut("ev-" + i, holdout))
        .count();
    assertTrue(held > 500 && held < 700, "about 30% held out: " + held);
    assertEquals(held, driver.status().heldOut(), "held-out events counted");
    assertEquals(events - held, examplesIn(driver.versions()), "the versions trained on the rest only");
  }

  @Test
  void aDriftRaisesTheLearningRateAndBringsTheNextVersionForward() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.DRIFT_DETECTOR, "adwin",
        TrainerConfig.DRIFT_ACTION, "raise_lr", TrainerConfig.DRIFT_LR_FACTOR, "5",
        TrainerConfig.DRIFT_PUBLISH_AFTER_BATCHES, "5", TrainerConfig.GATE_MARGIN, "1",
        TrainerConfig.LEARNING_RATE, "0.01"));
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 6, 0.0);
    pipe(driver, blobs, "ev-", 0, 3_000, id -> false);
    driver.process();
    assertEquals(List.of(), driver.versions(), "no version is due on a stable concept");
    pipe(driver, blobs, "ev-", 3_000, 2_000, id -> true);
    driver.process();
    List<TrainingEvent> drifts = driver.trainingEvents(TrainingEventType.DRIFT);
    assertFalse(drifts.isEmpty(), "the swapped concept is detected");
    TrainingEvent drift = drifts.get(0);
    assertTrue(drift.getExamplesSeen() > 3_000, "detected after the swap, at " + drift.getExamplesSeen());
    assertEquals(0.05, drift.getLearningRate(), 1e-9, "the rate is raised by the factor: " + drift.getMessage());
    List<ModelVersion> versions = driver.versions();
    assertFalse(versions.isEmpty(), "a version follows the drift");
    long seen = versions.get(0).lineage().examplesSeen();
    assertTrue(seen >= drift.getExamplesSeen() && seen <= drift.getExamplesSeen() + 6 * BATCH,
        "the first version comes 5 batches after the drift at " + drift.getExamplesSeen() + ", found " + seen);
  }

  @Test
  void delayedLabelsAreJoinedWithTheirExamplesById() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.DELAYED_LABELS, "true",
        TrainerConfig.LABEL_WINDOW_MS, "60000", TrainerConfig.GATE_MARGIN, "1"));
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 7, 0.0);
    int events = 500;
    int[] labels = new int[events];
    for (int i = 0; i < events; i++) {
      Example e = blobs.next();
      labels[i] = e.label();
      driver.pipeFeatures("ev-" + i, TrainerTestDriver.START.plusMillis(10L * i), e.features());
    }
    driver.process();
    assertEquals(0, driver.status().examplesTrained(), "features alone are not examples");
    for (int i = 0; i < events; i++) {
      if (i % 5 != 0) { // every fifth example never gets its label
        driver.pipeLabel("ev-" + i, TrainerTestDriver.START.plusMillis(10L * i + 5), labels[i]);
      }
    }
    driver.pipeLabel("ev-out-of-range", TrainerTestDriver.START, 7);
    driver.process();
    driver.stop();
    assertEquals(events * 4 / 5, examplesIn(driver.versions()), "each labeled example trained on once");
    List<TrainerTestDriver.DeadLetter> dead = driver.deadLetters();
    assertEquals(1, dead.size(), "the out-of-range label is a dead letter");
    assertTrue(dead.get(0).reason().contains("out of range"), dead.get(0).reason());
  }

  @Test
  void badInputIsDeadLetteredWithItsReason() {
    TrainerTestDriver driver = new TrainerTestDriver(config());
    String topic = driver.settings().topics().labeled();
    driver.pipe(topic, "garbage", new byte[] {1, 2, 3});
    driver.pipeLabeled("short", new float[] {1, 2}, 0);
    driver.pipeLabeled("nan", new float[] {1, Float.NaN, 3, 4}, 0);
    driver.pipeLabeled("class-9", new float[] {1, 2, 3, 4}, 9);
    driver.pipeLabeled("good", new float[] {1, 2, 3, 4}, 1);
    driver.process();
    driver.stop();
    Map<String, String> reasons = driver.deadLetters().stream()
        .collect(Collectors.toMap(TrainerTestDriver.DeadLetter::key, TrainerTestDriver.DeadLetter::reason));
    assertEquals(Set.of("garbage", "short", "nan", "class-9"), reasons.keySet(), "dead letters " + reasons);
    assertTrue(reasons.get("short").contains("wrong feature count"), reasons.get("short"));
    assertTrue(reasons.get("nan").contains("feature 1 is NaN"), reasons.get("nan"));
    assertTrue(reasons.get("class-9").contains("out of range"), reasons.get("class-9"));
    assertFalse(reasons.get("garbage").isBlank(), "the undecodable record has a reason");
    assertEquals(1, examplesIn(driver.versions()), "the good event is trained on");
  }

  @Test
  void aTrainerKilledBetweenCheckpointsResumesWithNoExampleTrainedTwiceOrSkipped() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "5",
        TrainerConfig.CHECKPOINT_EVERY_BATCHES, "3", TrainerConfig.GATE_MARGIN, "1"));
    GaussianBlobs blobs = new GaussianBlobs(2, FEATURES, 8, 0.0);
    pipe(driver, blobs, "ev-", 0, 25 * BATCH + 7, id -> false);
    driver.process();
    long committed = driver.checkpoints().get(driver.checkpoints().size() - 1).nextOffset(
        driver.settings().topics().labeled(), 0);
    assertTrue(committed < 25 * BATCH + 7, "some work is not committed when the trainer dies: " + committed);
    driver.restart();
    pipe(driver, blobs, "ev-", 25 * BATCH + 7, 20 * BATCH, id -> false);
    driver.process();
    driver.stop();
    int events = 45 * BATCH + 7;
    List<ModelVersion> versions = driver.versions();
    assertEquals(events, examplesIn(versions), "each example in exactly one version");
    long next = 0;
    for (ModelVersion v : versions) {
      for (var range : v.lineage().ranges()) {
        assertEquals(next, range.fromOffset(), v.key() + " starts where the one before ended");
        next = range.untilOffset();
      }
    }
    assertEquals(events, next, "the lineage covers every offset");
    assertEquals(events, versions.get(versions.size() - 1).lineage().examplesSeen());
  }

  @Test
  void aTrainerWarmStartsFromTheRegistrysLatestVersionAndContinuesItsNumbers() {
    TrainerSettings settings = TrainerSettings.from(new TrainerConfig(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "5")));
    ModelVersion imported = RandomModels.random(settings.model(), 7, FEATURES, "dense(8,relu) > dense(2,softmax)",
        3, Map.of());
    TrainerTestDriver driver = new TrainerTestDriver(settings, List.of(imported));
    assertEquals(7, driver.aliased().orElseThrow().version(), "the registry as another writer left it");
    pipe(driver, new GaussianBlobs(2, FEATURES, 1, 0.0), "ev-", 0, 5 * BATCH, id -> false);
    driver.process();
    List<ModelVersion> versions = driver.versions();
    assertEquals(List.of(7L, 8L), versions.stream().map(ModelVersion::version).toList(), "numbers go on from 7");
    assertEquals(7, versions.get(1).parentVersion(), "version 8's parent is 7");
    assertEquals(imported.lineage().examplesSeen() + 5 * BATCH, versions.get(1).lineage().examplesSeen(),
        "version 8 went on from version 7's weights and count, not from a fresh network");
    assertEquals(8, driver.aliased().orElseThrow().version(), "and the alias follows");
  }

  /** The largest difference between same-named tensors. */
  private static double largestChange(List<NamedTensor> from, List<NamedTensor> to) {
    double worst = 0;
    for (NamedTensor a : from) {
      NamedTensor b = to.stream().filter(t -> t.name().equals(a.name())).findFirst().orElseThrow();
      for (int i = 0; i < a.size(); i++) {
        worst = Math.max(worst, Math.abs(a.data()[i] - b.data()[i]));
      }
    }
    return worst;
  }

  @Test
  void aNewModelStartsFromTheInitialModelGivenAsARegistryVersionOrAnOnnxFile(@TempDir Path dir) throws Exception {
    String layers = "dense(8,relu) > dense(2,softmax)";
    ModelVersion base = RandomModels.random("base", 4, FEATURES, layers, 3, Map.of());
    Path onnx = dir.resolve("base.onnx");
    Files.write(onnx, OnnxExporter.export(base, false).onnx());
    List<NamedTensor> fromFile = OnnxImporter.read(Files.readAllBytes(onnx)).tensors();
    for (String initial : List.of("base:4", onnx.toString())) {
      // a tiny rate: after 5 batches the weights are still the initial model's, not a fresh network's
      TrainerSettings settings = TrainerSettings.from(new TrainerConfig(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "5",
          TrainerConfig.INITIAL_MODEL, initial, TrainerConfig.LEARNING_RATE, "0.000001")));
      TrainerTestDriver driver = new TrainerTestDriver(settings, List.of(base));
      pipe(driver, new GaussianBlobs(2, FEATURES, 1, 0.0), "ev-", 0, 5 * BATCH, id -> false);
      driver.process();
      ModelVersion first = driver.versions().get(0);
      assertEquals(1, first.version(), initial + ": the new model's own numbers start at 1");
      assertEquals(5 * BATCH, first.lineage().examplesSeen(), initial + ": and its own count");
      List<NamedTensor> start = initial.endsWith(".onnx") ? fromFile : base.tensors();
      double change = largestChange(start, first.tensors());
      assertTrue(change < 1e-3, initial + ": weights moved " + change + " from the initial model's");
    }
    TrainerSettings fresh = TrainerSettings.from(new TrainerConfig(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "5",
        TrainerConfig.LEARNING_RATE, "0.000001")));
    TrainerTestDriver driver = new TrainerTestDriver(fresh, List.of(base));
    pipe(driver, new GaussianBlobs(2, FEATURES, 1, 0.0), "ev-", 0, 5 * BATCH, id -> false);
    driver.process();
    assertTrue(largestChange(base.tensors(), driver.versions().get(0).tensors()) > 0.01,
        "without --initial-model the network starts elsewhere");
  }

  @Test
  void anInitialModelOfAnotherNetworkIsRefusedAtStart() {
    ModelVersion other = RandomModels.random("other", 1, FEATURES, "dense(3,relu) > dense(2,softmax)", 5, Map.of());
    TrainerSettings settings = TrainerSettings.from(new TrainerConfig(config(TrainerConfig.INITIAL_MODEL, "other:1")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TrainerTestDriver(settings, List.of(other)));
    assertTrue(e.getMessage().contains("dense(3,relu) > dense(2,softmax)") && e.getMessage().contains("configured"),
        e.getMessage());
    TrainerSettings missing = TrainerSettings.from(new TrainerConfig(config(TrainerConfig.INITIAL_MODEL, "nobody:9")));
    e = assertThrows(IllegalArgumentException.class, () -> new TrainerTestDriver(missing, List.of(other)));
    assertTrue(e.getMessage().contains("nobody:9"), e.getMessage());
  }
}
