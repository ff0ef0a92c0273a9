package io.streamlearn.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.Prediction;
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
}
