package io.streamlearn.testkit.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.RawInputKeys;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import io.streamlearn.train.CheckpointSummary;
import io.streamlearn.train.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * The trainer over users' own JSON records on {@link TrainerTestDriver}: the feature pipeline is
 * fitted online, travels in every version and in the checkpoint, and bad records are dead letters
 * naming their field.
 */
class RawTrainerRulesTest {
  private static final int BATCH = 16;
  private static final String SPEC = "distance:numeric, origin:category(8), dest:hash(64)";
  private static final String[] ORIGINS = {"DTW", "LAS", "ORD", "SFO", "JFK"};

  private static Map<String, String> config(String... overrides) {
    Map<String, String> c = new HashMap<>();
    c.put(RawInputKeys.INPUT_FORMAT, "json");
    c.put(RawInputKeys.FEATURE_SPEC, SPEC);
    c.put(RawInputKeys.LABEL_FIELD, "delay>15");
    c.put(RawInputKeys.ID_FIELD, "id");
    c.put(TrainerConfig.LAYERS, "dense(8,relu) > dense(1,sigmoid)");
    c.put(TrainerConfig.LOSS, "binary_cross_entropy");
    c.put(TrainerConfig.LEARNING_RATE, "0.05");
    c.put(TrainerConfig.BATCH_SIZE, String.valueOf(BATCH));
    c.put("topic.partitions", "1");
    c.put(TrainerConfig.HOLDOUT_FRACTION, "0.2");
    c.put(TrainerConfig.HOLDOUT_MIN_EXAMPLES, "1");
    c.put(TrainerConfig.GATE_MARGIN, "1");
    c.put(TrainerConfig.DRIFT_DETECTOR, "none");
    c.put(TrainerConfig.PUBLISH_EVERY_BATCHES, "1000000");
    c.put(TrainerConfig.PUBLISH_EVERY_MS, "3600000");
    c.put(TrainerConfig.PUBLISH_MIN_INTERVAL_MS, "0");
    c.put(TrainerConfig.CHECKPOINT_EVERY_MS, "3600000");
    for (int i = 0; i < overrides.length; i += 2) {
      c.put(overrides[i], overrides[i + 1]);
    }
    return c;
  }

  /** A flight whose delay depends on its origin, as JSON bytes. */
  static byte[] flight(Random random, int i) {
    int o = random.nextInt(ORIGINS.length);
    int delay = random.nextDouble() < 0.15 + 0.15 * o ? 20 + random.nextInt(60) : random.nextInt(15);
    return String.format("{\"id\":\"f-%d\",\"distance\":%d,\"origin\":\"%s\",\"dest\":\"%s\",\"delay\":%d}",
        i, 200 + random.nextInt(2000), ORIGINS[o], ORIGINS[random.nextInt(ORIGINS.length)], delay)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void pipe(TrainerTestDriver driver, Random random, int from, int count) {
    for (int i = from; i < from + count; i++) {
      driver.pipeRaw("k-" + i, flight(random, i));
    }
  }

  @Test
  void eachVersionCarriesThePipelineFrozenWhenItWasCutWithNamedInputsAndClassNames() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.PUBLISH_EVERY_BATCHES, "5"));
    pipe(driver, new Random(7), 0, 20 * BATCH);
    driver.process();
    List<ModelVersion> versions = driver.versions();
    assertTrue(versions.size() >= 2, "several versions: " + versions.size());
    long learnedBefore = -1;
    for (ModelVersion v : versions) {
      assertTrue(v.hasFeaturePipeline(), v.key() + " carries its pipeline");
      FrozenPipeline p = FrozenPipeline.parse(v.featurePipeline());
      assertEquals(p.layout().totalWidth(), v.signature().featureCount(), "featureCount is the layout's width");
      assertEquals(List.of("false", "true"), v.signature().classNames(), "a threshold label's classes");
      assertEquals(List.of("distance", "origin", "dest"),
          v.signature().inputs().stream().map(Signature.InputField::name).toList());
      assertTrue(p.rowsLearned() > learnedBefore, v.key() + " learned more rows than the version before");
      assertEquals(v.lineage().examplesSeen(), p.rowsLearned(),
          "the pipeline learned exactly the rows the weights trained on (held-out rows only featurized)");
      learnedBefore = p.rowsLearned();
    }
    FrozenPipeline last = FrozenPipeline.parse(versions.get(versions.size() - 1).featurePipeline());
    assertTrue(last.vocabulary("origin").containsAll(List.of(ORIGINS)), "vocabulary " + last.vocabulary("origin"));
    assertTrue(driver.status().heldOut() > 0, "a share of the records was held out");
  }

  @Test
  void badRecordsAreDeadLetteredNamingTheFieldAndTheRestIsTrainedOn() {
    TrainerTestDriver driver = new TrainerTestDriver(config(TrainerConfig.HOLDOUT_FRACTION, "0"));
    pipe(driver, new Random(3), 0, BATCH);
    driver.pipeRaw("bad-1", "not json".getBytes(StandardCharsets.UTF_8));
    driver.pipeRaw("bad-2", "{\"id\":\"b2\",\"distance\":true,\"origin\":\"DTW\",\"dest\":\"LAS\",\"delay\":3}"
        .getBytes(StandardCharsets.UTF_8));
    driver.pipeRaw("bad-3", "{\"id\":\"b3\",\"distance\":100,\"origin\":\"DTW\",\"dest\":\"LAS\"}"
        .getBytes(StandardCharsets.UTF_8));
    pipe(driver, new Random(4), 100, BATCH);
    driver.stop();
    List<TrainerTestDriver.DeadLetter> dead = driver.deadLetters();
    assertEquals(List.of("bad-1", "bad-2", "bad-3"), dead.stream().map(TrainerTestDriver.DeadLetter::key).toList());
    assertNull(dead.get(0).field(), "not JSON: the record as a whole");
    assertTrue(dead.get(0).reason().startsWith("not JSON"), dead.get(0).reason());
    assertEquals("distance", dead.get(1).field());
    assertTrue(dead.get(1).reason().contains("distance"), "the reason names the field too: " + dead.get(1).reason());
    assertEquals("delay", dead.get(2).field(), "a missing label names the label field");
    assertEquals(2L * BATCH, driver.versions().get(driver.versions().size() - 1).lineage().examplesSeen(),
        "every good record trained on, no bad one");
  }

  @Test
  void theCheckpointHoldsThePipelineSoARestartResumesItExactlyOnce() {
    Map<String, String> config = config(TrainerConfig.CHECKPOINT_EVERY_BATCHES, "3");
    TrainerTestDriver restarted = new TrainerTestDriver(config);
    TrainerTestDriver straight = new TrainerTestDriver(config);
    Random a = new Random(11);
    Random b = new Random(11);
    pipe(restarted, a, 0, 10 * BATCH + 5);
    pipe(straight, b, 0, 10 * BATCH + 5);
    restarted.process();
    String checkpointed = last(restarted.checkpoints()).featurePipeline();
    assertFalse(checkpointed.isEmpty(), "the checkpoint holds the pipeline");
    restarted.restart(); // kill -9: what was not checkpointed is read and learned again, once
    pipe(restarted, a, 10 * BATCH + 5, 7 * BATCH);
    pipe(straight, b, 10 * BATCH + 5, 7 * BATCH);
    restarted.stop();
    straight.stop();
    FrozenPipeline resumed = FrozenPipeline.parse(last(restarted.checkpoints()).featurePipeline());
    FrozenPipeline uninterrupted = FrozenPipeline.parse(last(straight.checkpoints()).featurePipeline());
    assertEquals(uninterrupted.rowsLearned(), resumed.rowsLearned(), "no record learned twice or skipped");
    assertEquals(uninterrupted, resumed, "the same vocabularies and statistics as a run that never stopped");
    ModelVersion v = restarted.versions().get(restarted.versions().size() - 1);
    assertEquals(resumed, FrozenPipeline.parse(v.featurePipeline()), "the last version carries that state");
  }

  @Test
  void aRawFormatWithoutAFeatureSpecOrLabelIsRefusedNamingTheFlag() {
    Map<String, String> noSpec = config();
    noSpec.remove(RawInputKeys.FEATURE_SPEC);
    ConfigException e = assertThrows(ConfigException.class, () -> new TrainerConfig(noSpec));
    assertTrue(e.getMessage().contains(RawInputKeys.FEATURE_SPEC), e.getMessage());
    Map<String, String> noLabel = config();
    noLabel.remove(RawInputKeys.LABEL_FIELD);
    e = assertThrows(ConfigException.class, () -> new TrainerConfig(noLabel));
    assertTrue(e.getMessage().contains(RawInputKeys.LABEL_FIELD), e.getMessage());
    e = assertThrows(ConfigException.class, () -> new TrainerConfig(config(TrainerConfig.LAYERS, "dense(3,softmax)",
        TrainerConfig.LOSS, "softmax_cross_entropy")));
    assertTrue(e.getMessage().contains(RawInputKeys.LABEL_FIELD), "a threshold label on 3 classes: " + e.getMessage());
  }

  private static CheckpointSummary last(List<CheckpointSummary> checkpoints) {
    return checkpoints.get(checkpoints.size() - 1);
  }

  @Test
  void learnedClassesBecomeClassNamesOnlyOnceEveryClassIsTakenAndAnExtraLabelIsADeadLetter() {
    TrainerTestDriver driver = new TrainerTestDriver(config(RawInputKeys.LABEL_FIELD, "status",
        TrainerConfig.LAYERS, "dense(3,softmax)", TrainerConfig.LOSS, "softmax_cross_entropy",
        TrainerConfig.HOLDOUT_FRACTION, "0"));
    Random random = new Random(9);
    String[] statuses = {"ontime", "late"};
    for (int i = 0; i < BATCH; i++) {
      driver.pipeRaw("a-" + i, String.format("{\"distance\":%d,\"origin\":\"DTW\",\"dest\":\"LAS\",\"status\":\"%s\"}",
          100 + random.nextInt(900), statuses[i % 2]).getBytes(StandardCharsets.UTF_8));
    }
    driver.stop();
    ModelVersion two = driver.versions().get(0);
    assertEquals(List.of(), two.signature().classNames(), "2 of 3 classes taken: no names (none would be a label)");
    assertEquals(List.of("ontime", "late"), FrozenPipeline.parse(two.featurePipeline()).classes(),
        "the pipeline names the classes taken so far");
    driver.restart();
    driver.pipeRaw("b-1", "{\"distance\":5,\"origin\":\"DTW\",\"dest\":\"LAS\",\"status\":\"cancelled\"}"
        .getBytes(StandardCharsets.UTF_8));
    driver.pipeRaw("b-2", "{\"distance\":5,\"origin\":\"DTW\",\"dest\":\"LAS\",\"status\":\"diverted\"}"
        .getBytes(StandardCharsets.UTF_8));
    driver.stop();
    ModelVersion three = driver.versions().get(driver.versions().size() - 1);
    assertEquals(List.of("ontime", "late", "cancelled"), three.signature().classNames(), "every class taken");
    TrainerTestDriver.DeadLetter extra = driver.deadLetters().get(0);
    assertEquals("b-2", extra.key(), "a fourth label on a 3-class model: " + extra.reason());
    assertEquals("status", extra.field());
  }

  @Test
  void aNumericLabelTrainsARegressionWhoseVersionHasNoClassNames() {
    TrainerTestDriver driver = new TrainerTestDriver(config(RawInputKeys.LABEL_FIELD, "delay:numeric",
        TrainerConfig.LAYERS, "dense(4,relu) > dense(1)", TrainerConfig.LOSS, "mse",
        TrainerConfig.HOLDOUT_FRACTION, "0"));
    pipe(driver, new Random(2), 0, 3 * BATCH);
    driver.stop();
    ModelVersion v = driver.versions().get(0);
    assertEquals(Signature.Task.REGRESSION, v.signature().task());
    assertEquals(List.of(), v.signature().classNames());
    assertEquals(3L * BATCH, FrozenPipeline.parse(v.featurePipeline()).rowsLearned());
  }
}
