package io.streamlearn.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.ChallengerVerdict;
import io.streamlearn.schema.ChallengerVerdictType;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.ServedMetrics;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DashboardStateTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final DashboardState state = new DashboardState("m", clock::get);
  private final ObjectMapper json = new ObjectMapper();

  static ModelVersion version(long v, long seen) {
    return ModelVersion.create("m", v, v - 1, Instant.ofEpochMilli(900_000 + v), "dense(2,softmax)",
        new Signature(3, Signature.Task.CLASSIFICATION, 2, List.of("no", "yes"), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("w", new int[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6})),
        new Lineage(List.of(new OffsetRange("t", 0, 0, seen)), seen, seen, Map.of(), 1, "dev"),
        Map.of("prequentialAccuracy", 0.75));
  }

  private static Prediction prediction(String id, long version, int predicted, Object label) {
    return new Prediction(id, 0L, "m", version, predicted, List.of(0.25f, 0.75f), label, 2_000L, null, null, null, null, null);
  }

  @Test
  void servedAndHoldOutAccuracyArePerVersionAndCurvesAreSampled() throws Exception {
    state.onRegistry(new RegistryCodec.VersionEntry(RegistryKey.version("m", 1), version(1, 100)));
    state.onRegistry(new RegistryCodec.VersionEntry(RegistryKey.version("m", 1), version(1, 100)));
    for (int i = 0; i < DashboardState.CURVE_STEP; i++) {
      state.onPrediction(prediction("l-" + i, 1, 1, i % 4 == 0 ? 0 : 1)); // 3 of 4 right
    }
    state.expectLabel("h-1", 1);
    state.expectLabel("h-2", 0);
    state.onPrediction(prediction("h-1", 1, 1, null));
    state.onPrediction(prediction("h-2", 1, 1, null));
    state.onPrediction(prediction("u-1", 1, 1, null)); // unlabeled, label unknown: counted, not scored
    state.onPrediction(new Prediction("x", 0L, "other-model", 1L, 1, List.of(1f), 1, 1L, null, null, null, null, null));

    double right = (DashboardState.CURVE_STEP - (DashboardState.CURVE_STEP + 3) / 4) / (double) DashboardState.CURVE_STEP;
    JsonNode s = json.valueToTree(state.snapshot());
    JsonNode v1 = s.get("versions").get(0);
    assertEquals(1, s.get("versions").size(), "one version, stored once: " + s.get("versions"));
    assertEquals(right, v1.get("servedAccuracy").asDouble(), 1e-9, "served accuracy of v1");
    assertEquals(0.5, v1.get("heldOutAccuracy").asDouble(), 1e-9, "hold-out accuracy of v1");
    assertEquals(DashboardState.CURVE_STEP + 3, v1.get("served").asLong(), "predictions of v1, other model ignored");
    assertEquals(1, s.get("curve").size(), "one curve point per " + DashboardState.CURVE_STEP + " labeled");
    assertEquals(right, s.get("curve").get(0).get("accuracy").asDouble(), 1e-9);
    assertEquals(1, s.get("swaps").size(), "the first prediction of a version is a swap");
    assertEquals(List.of("no", "yes"), json.convertValue(s.get("classNames"), List.class),
        "class names come from the signature");
    assertEquals(0.75, s.get("versions").get(0).get("metrics").get("prequentialAccuracy").asDouble(), 1e-9);
  }

  @Test
  void aVersionOverNamedInputsShowsThemAndOneOverEventsShowsNone() throws Exception {
    state.onRegistry(new RegistryCodec.VersionEntry(RegistryKey.version("m", 1), version(1, 100)));
    state.onRegistry(new RegistryCodec.VersionEntry(RegistryKey.version("m", 2), version(2, 200)
        .withFeaturePipeline("{}", List.of(new Signature.InputField("origin", "category"),
            new Signature.InputField("distance", "numeric")))));
    JsonNode versions = json.valueToTree(state.snapshot()).get("versions");
    assertEquals(0, versions.get(0).get("inputs").size(), "v1 reads LabeledEvents: " + versions.get(0));
    assertEquals(List.of("origin:category", "distance:numeric"), json.convertValue(versions.get(1).get("inputs"),
        List.class));
  }

  @Test
  void trainingHistoryAliasMovesDriftAndThroughputAreKept() {
    state.onTrainingEvent(TrainingEvent.newBuilder().setModel("m").setType(TrainingEventType.PUBLISHED)
        .setTimestamp(Instant.ofEpochMilli(5)).setModelVersion(1).setExamplesSeen(64).setLearningRate(0.01)
        .setMetrics(Map.of("prequentialAccuracy", 0.5, "holdoutLoss", Double.NaN)).setMessage("v1").build());
    state.onTrainingEvent(TrainingEvent.newBuilder().setModel("m").setType(TrainingEventType.DRIFT)
        .setTimestamp(Instant.ofEpochMilli(6)).setModelVersion(1).setExamplesSeen(128).setLearningRate(0.01)
        .setMetrics(Map.of()).setMessage("ADWIN: accuracy fell").build());
    state.onRegistry(new RegistryCodec.AliasEntry(RegistryKey.alias("m", "live"),
        new AliasMove("m", "live", 1, Instant.ofEpochMilli(7), "trainer", "published", 0)));
    clock.set(2_000_100);
    state.onPrediction(prediction("a", 1, 1, 1));
    state.onPrediction(prediction("b", 1, 1, 1));
    clock.set(3_000_500);
    Map<String, Object> s = state.snapshot();
    List<?> training = (List<?>) s.get("training");
    assertEquals(2, training.size());
    assertEquals(Map.of("prequentialAccuracy", 0.5), ((Map<?, ?>) training.get(0)).get("metrics"),
        "non-finite metrics are dropped (JSON has no NaN)");
    List<?> alerts = (List<?>) s.get("alerts");
    assertEquals(1, alerts.size(), "the DRIFT event is an alert");
    assertEquals("ADWIN: accuracy fell", ((Map<?, ?>) alerts.get(0)).get("message"));
    assertEquals(Map.of("live", 1L), s.get("aliases"));
    assertEquals(1L, state.aliasVersion("live"));
    List<?> throughput = (List<?>) s.get("throughput");
    assertEquals(1, throughput.size(), "one complete second: " + throughput);
    assertEquals(2L, ((Map<?, ?>) throughput.get(0)).get("predictions"));
    assertEquals(2.0, (Double) ((Map<?, ?>) throughput.get(0)).get("meanLatencyMs"), 1e-9);
  }

  @Test
  void imagesAreAttachedTo784FeatureInputsAndPreferredInTheLatestList() {
    float[] image = new float[784];
    image[0] = 1f;
    image[1] = 2f; // clamped
    state.onPrediction(prediction("plain", 1, 0, 0));
    state.recordInput("img", image);
    state.onPrediction(prediction("img", 1, 1, 0));
    state.onPrediction(prediction("plain-2", 1, 0, 0));
    List<?> latest = (List<?>) state.snapshot().get("latest");
    Map<?, ?> first = (Map<?, ?>) latest.get(0);
    assertEquals("img", first.get("id"), "once images exist, rows without one are not added: " + latest);
    int[] grey = (int[]) first.get("image");
    assertEquals(255, grey[0]);
    assertEquals(255, grey[1]);
    assertEquals(0, grey[2]);
    assertNull(((Map<?, ?>) latest.get(1)).get("image"), "the older row keeps no image");
  }

  private static ServedMetrics served(String model, long version, String alias, long start, long end,
                                      long evaluated, long leaked, double accuracy) {
    return ServedMetrics.newBuilder().setModel(model).setModelVersion(version).setAlias(alias)
        .setWindowStart(start).setWindowEnd(end).setEvaluated(evaluated).setLeaked(leaked)
        .setMetrics(Map.of("accuracy", accuracy, "logLoss", 0.5)).setPublishedAt(Instant.ofEpochMilli(start + 1))
        .build();
  }

  private static ChallengerVerdict verdict(long live, long challenger, long pairs, long b, long c,
                                           ChallengerVerdictType type) {
    double llr = c * Math.log(1.2) + b * Math.log(0.8);
    return ChallengerVerdict.newBuilder().setModel("m").setLiveAlias("live").setLiveVersion(live)
        .setChallengerAlias("challenger").setChallengerVersion(challenger).setPairs(pairs).setLiveOnlyCorrect(b)
        .setChallengerOnlyCorrect(c).setLogLikelihoodRatio(llr).setAlpha(0.05).setBeta(0.2).setDelta(0.1)
        .setUpperThreshold(Math.log(16)).setLowerThreshold(Math.log(0.2 / 0.95)).setVerdict(type)
        .setDecidedAtPairs(type == ChallengerVerdictType.UNDECIDED ? 0 : pairs)
        .setPromoted(type == ChallengerVerdictType.CHALLENGER_BETTER).setPublishedAt(Instant.ofEpochMilli(pairs))
        .build();
  }

  @Test
  void theAllTimeServedFiguresOfEachVersionAndAliasStandBesideTheTrainersFigures() {
    state.onRegistry(new RegistryCodec.VersionEntry(RegistryKey.version("m", 1), ModelVersion.create("m", 1, 0,
        Instant.ofEpochMilli(900_001), "dense(2,softmax)",
        new Signature(3, Signature.Task.CLASSIFICATION, 2, List.of("no", "yes"), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(), List.of(new NamedTensor("w", new int[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6})),
        new Lineage(List.of(new OffsetRange("t", 0, 0, 100)), 100, 100, Map.of(), 1, "dev"),
        Map.of("prequentialAccuracy", 0.75, "holdoutAccuracy", 0.72))));
    state.onServedMetrics(served("m", 1, "live", 0, Long.MAX_VALUE, 900, 100, 0.80));
    state.onServedMetrics(served("m", 1, "live", 60_000, 120_000, 50, 0, 0.10)); // a window: not the all-time row
    state.onServedMetrics(served("m", 1, "live", 0, Long.MAX_VALUE, 1_000, 120, 0.81)); // the newer total wins
    state.onServedMetrics(served("m", 2, "canary", 0, Long.MAX_VALUE, 250, 0, 0.84));
    state.onServedMetrics(served("other", 1, "live", 0, Long.MAX_VALUE, 7, 7, 0.1));

    JsonNode rows = json.valueToTree(state.snapshot()).get("served");
    assertEquals(2, rows.size(), "v2@canary and v1@live, the other model and the window left out: " + rows);
    JsonNode v2 = rows.get(0);
    assertEquals(2, v2.get("version").asLong());
    assertEquals("canary", v2.get("alias").asText());
    assertEquals(250, v2.get("evaluated").asLong());
    assertEquals(0.84, v2.get("accuracy").asDouble(), 1e-12);
    assertTrue(v2.get("trainerPrequentialAccuracy").isNull(), "v2 is not in the registry view: " + v2);
    JsonNode v1 = rows.get(1);
    assertEquals("live", v1.get("alias").asText());
    assertEquals(1_000, v1.get("evaluated").asLong(), "leak-free evaluations of the newest total");
    assertEquals(120, v1.get("leaked").asLong());
    assertEquals(0.81, v1.get("accuracy").asDouble(), 1e-12);
    assertEquals(0.5, v1.get("metrics").get("logLoss").asDouble(), 1e-12);
    assertEquals(0.75, v1.get("trainerPrequentialAccuracy").asDouble(), 1e-12);
    assertEquals(0.72, v1.get("trainerHoldoutAccuracy").asDouble(), 1e-12);
  }

  @Test
  void eachPairKeepsItsLatestVerdictAndTheLlrPathItTook() {
    state.onChallengerVerdict(verdict(1, 2, 40, 4, 10, ChallengerVerdictType.UNDECIDED));
    state.onChallengerVerdict(verdict(3, 4, 30, 7, 0, ChallengerVerdictType.NOT_BETTER));
    state.onChallengerVerdict(verdict(1, 2, 97, 9, 27, ChallengerVerdictType.CHALLENGER_BETTER));
    state.onChallengerVerdict(verdict(1, 2, 97, 9, 27, ChallengerVerdictType.CHALLENGER_BETTER)); // republished

    JsonNode rows = json.valueToTree(state.snapshot()).get("challenger");
    assertEquals(2, rows.size(), "one row per (live, challenger) pair: " + rows);
    JsonNode latest = rows.get(0);
    assertEquals(1, latest.get("liveVersion").asLong(), "the pair updated last comes first");
    assertEquals(2, latest.get("challengerVersion").asLong());
    assertEquals(97, latest.get("pairs").asLong());
    assertEquals(9, latest.get("liveOnlyCorrect").asLong());
    assertEquals(27, latest.get("challengerOnlyCorrect").asLong());
    assertEquals(27 * Math.log(1.2) + 9 * Math.log(0.8), latest.get("logLikelihoodRatio").asDouble(), 1e-12);
    assertEquals(2.9144, latest.get("logLikelihoodRatio").asDouble(), 1e-4, "ChallengerIT's figure");
    assertEquals(Math.log(16), latest.get("upperThreshold").asDouble(), 1e-12);
    assertEquals(Math.log(0.2 / 0.95), latest.get("lowerThreshold").asDouble(), 1e-12);
    assertEquals("CHALLENGER_BETTER", latest.get("verdict").asText());
    assertTrue(latest.get("promoted").asBoolean());
    JsonNode path = latest.get("path");
    assertEquals(2, path.size(), "a republished verdict adds no point: " + path);
    assertEquals(40, path.get(0).get(0).asLong());
    assertEquals(10 * Math.log(1.2) + 4 * Math.log(0.8), path.get(0).get(1).asDouble(), 1e-12);
    assertEquals(97, path.get(1).get(0).asLong());
    assertEquals("NOT_BETTER", rows.get(1).get("verdict").asText());
  }

  @Test
  void theCanarySplitIsTheShareOfEachAliasOverTheLastPredictions() {
    for (int i = 0; i < 300; i++) {
      state.onPrediction(aliased("old-" + i, 1, null)); // an older writer: no alias, pushed out below
    }
    for (int i = 0; i < DashboardState.WINDOW; i++) {
      boolean canary = i % 5 == 0;
      state.onPrediction(aliased("p-" + i, canary ? 2 : (i < 500 ? 1 : 3), canary ? "canary" : "live"));
    }
    JsonNode split = json.valueToTree(state.snapshot()).get("canary");
    assertEquals(DashboardState.WINDOW, split.get("predictions").asInt());
    JsonNode aliases = split.get("aliases");
    assertEquals(2, aliases.size(), "the unnamed predictions left the window: " + aliases);
    assertEquals("canary", aliases.get(0).get("alias").asText());
    assertEquals(200, aliases.get(0).get("predictions").asLong());
    assertEquals(0.2, aliases.get(0).get("share").asDouble(), 1e-12);
    assertEquals(2, aliases.get(0).get("version").asLong());
    assertEquals("live", aliases.get(1).get("alias").asText());
    assertEquals(0.8, aliases.get(1).get("share").asDouble(), 1e-12);
    assertEquals(3, aliases.get(1).get("version").asLong(), "the version of live's latest prediction");
  }

  @Test
  void theLatestFeatureDriftOfEachVersionNamesItsFeaturesAndEveryDriftStaysAnAlert() {
    state.onTrainingEvent(drift(5, 2, Map.of("psi.age", 0.12, "psi.income", 0.31, "psi.zip", 0.02,
        "threshold", 0.2), "feature drift: income"));
    state.onTrainingEvent(drift(6, 1, Map.of("psi.age", 0.27), "feature drift: age"));
    state.onTrainingEvent(drift(7, 2, Map.of("psi.income", 0.45, "psi.age", 0.05, "psi.nan", Double.NaN),
        "feature drift: income"));
    state.onTrainingEvent(drift(8, 2, Map.of(), "ADWIN: accuracy fell")); // the trainer's: names no feature

    Map<String, Object> s = state.snapshot();
    JsonNode drift = json.valueToTree(s).get("drift");
    assertEquals(2, drift.size(), "one row per version: " + drift);
    JsonNode v2 = drift.get(0);
    assertEquals(2, v2.get("version").asLong(), "newest version first");
    assertEquals(7, v2.get("t").asLong(), "the latest event of v2 with features");
    JsonNode features = v2.get("features");
    assertEquals(2, features.size(), "non-finite PSI dropped: " + features);
    assertEquals("income", features.get(0).get("feature").asText(), "largest PSI first");
    assertEquals(0.45, features.get(0).get("psi").asDouble(), 1e-12);
    assertEquals("age", features.get(1).get("feature").asText());
    assertEquals(0.27, drift.get(1).get("features").get(0).get("psi").asDouble(), 1e-12);
    assertEquals(4, ((List<?>) s.get("alerts")).size(), "the Drift and alerts list keeps every DRIFT event");
  }

  private static TrainingEvent drift(long t, long version, Map<String, Double> metrics, String message) {
    return TrainingEvent.newBuilder().setModel("m").setType(TrainingEventType.DRIFT)
        .setTimestamp(Instant.ofEpochMilli(t)).setModelVersion(version).setExamplesSeen(0).setLearningRate(0)
        .setMetrics(metrics).setMessage(message).build();
  }

  private static Prediction aliased(String id, long version, String alias) {
    Prediction p = prediction(id, version, 1, 1);
    p.setAlias(alias);
    return p;
  }
}
