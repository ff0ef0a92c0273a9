package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.learn.drift.FeatureReference;
import io.streamlearn.learn.drift.ReferenceSketch;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drift without labels on {@link TopologyTestDriver} and the real {@code EvaluationTopology.build}. */
class DriftTopologyTest {
  private static final String MODEL = "m";
  private static final int FEATURES = 5;
  private static final int WINDOW = 500;
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<FeatureEvent> featureSerde = AvroSerde.of(FeatureEvent.class);
  private final AvroSerde<LabeledEvent> labeledSerde = AvroSerde.of(LabeledEvent.class);
  private final AvroSerde<TrainingEvent> trainingEvents = AvroSerde.of(TrainingEvent.class);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> registryIn;
  private TestInputTopic<String, byte[]> featuresIn;
  private TestInputTopic<String, byte[]> labeledIn;
  private TestOutputTopic<String, byte[]> metricsOut;
  private int nextId;

  @BeforeEach
  void setUp() throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put(CommonKeys.MODEL_NAME, MODEL);
    settings.put(EvaluationConfig.DRIFT_WINDOW_EVENTS, String.valueOf(WINDOW));
    settings.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("drift-test").toString());
    EvaluationConfig config = new EvaluationConfig(settings);
    Properties props = EvaluationService.streamsProperties(config.settings());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver = new TopologyTestDriver(EvaluationTopology.build(config.settings()), props, Instant.EPOCH);
    StringSerializer s = new StringSerializer();
    ByteArraySerializer b = new ByteArraySerializer();
    registryIn = driver.createInputTopic(config.getString(CommonKeys.MODELS_TOPIC), s, b);
    featuresIn = driver.createInputTopic(config.getString(CommonKeys.FEATURES_TOPIC), s, b);
    labeledIn = driver.createInputTopic(config.getString(CommonKeys.LABELED_TOPIC), s, b);
    metricsOut = driver.createOutputTopic(config.getString(CommonKeys.METRICS_TOPIC), new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  /** Standard normal rows, each column shifted by {@code shift[f]} standard deviations. */
  private static float[] row(Random random, double[] shift) {
    float[] x = new float[FEATURES];
    for (int f = 0; f < FEATURES; f++) {
      x[f] = (float) (random.nextGaussian() + shift[f]);
    }
    return x;
  }

  /** The training reference: 5,000 standard normal rows (seed 1). */
  private static FeatureReference trainingReference() {
    ReferenceSketch sketch = new ReferenceSketch(FEATURES, 10, 64, 500);
    Random random = new Random(1);
    for (int i = 0; i < 5000; i++) {
      sketch.add(row(random, new double[FEATURES]), 1);
    }
    return sketch.reference();
  }

  private void publishLive(long version, FeatureReference reference) {
    ModelVersion v = ModelVersion.create(MODEL, version, version - 1, Instant.EPOCH, "dense(2,softmax)",
        new Signature(FEATURES, Signature.Task.CLASSIFICATION, 2, List.of(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {FEATURES, 2}, new float[2 * FEATURES]),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[2])),
        new Lineage(List.of(), 5000, 5000, Map.of(), 1, "test"), Map.of());
    if (reference != null) {
      v = v.withContent(v.tensors(), v.preprocessing(), Map.of(FeatureReference.ANNOTATION, reference.toText()));
    }
    registryIn.pipeInput(v.key(), codec.encode(v), Instant.EPOCH);
    AliasMove move = new AliasMove(MODEL, AliasMove.LIVE, version, Instant.EPOCH, "test", "", version - 1);
    registryIn.pipeInput(move.model() + "@" + move.alias(), codec.encode(move), Instant.EPOCH);
  }

  private void serve(int events, long seed, double... shift) {
    Random random = new Random(seed);
    for (int i = 0; i < events; i++) {
      String id = "ev-" + nextId++;
      float[] x = row(random, shift);
      List<Float> boxed = new ArrayList<>();
      for (float v : x) {
        boxed.add(v);
      }
      FeatureEvent e = FeatureEvent.newBuilder().setId(id).setEventTime(Instant.ofEpochMilli(1_000L + i)).setFeatures(boxed).build();
      featuresIn.pipeInput(id, featureSerde.serialize(null, e), Instant.ofEpochMilli(1_000L + i));
    }
  }

  private List<TrainingEvent> drifts() {
    return metricsOut.readValuesToList().stream().map(v -> trainingEvents.deserialize(null, v))
        .filter(t -> t.getType() == TrainingEventType.DRIFT).toList();
  }

  private static Set<String> namedFeatures(TrainingEvent e) {
    Set<String> named = new TreeSet<>();
    e.getMetrics().keySet().forEach(k -> {
      String key = k.toString();
      if (key.startsWith("psi.") && !key.equals("psi.threshold")) {
        named.add(key);
      }
    });
    return named;
  }

  @Test
  void inputsShiftedInTwoFeaturesRaiseOneDriftNamingExactlyThoseTwo() {
    publishLive(1, trainingReference());
    serve(WINDOW - 1, 2, 0, 1.0, 0, -1.0, 0);
    assertEquals(List.of(), drifts(), "the window is not full yet");
    serve(1, 3, 0, 1.0, 0, -1.0, 0);
    List<TrainingEvent> drifts = drifts();
    assertEquals(1, drifts.size(), "one window, one alert: " + drifts);
    TrainingEvent d = drifts.get(0);
    assertEquals(Set.of("psi.1", "psi.3"), namedFeatures(d), d.getMessage().toString());
    assertEquals(1, d.getModelVersion());
    assertEquals(WINDOW, d.getExamplesSeen());
    assertTrue(d.getMetrics().get("psi.1") >= 0.2 && d.getMetrics().get("psi.3") >= 0.2, d.getMetrics().toString());
    String message = d.getMessage().toString();
    assertTrue(message.contains("feature 1 PSI") && message.contains("feature 3 PSI"), message);
  }

  @Test
  void unshiftedInputsRaiseNoDriftAndAShiftedStreamRaisesAtMostOneAlertPerWindow() {
    publishLive(1, trainingReference());
    serve(4 * WINDOW, 4, 0, 0, 0, 0, 0);
    assertEquals(List.of(), drifts(), "inputs drawn as the training inputs were");
    serve(2 * WINDOW + WINDOW / 2, 5, 0, 1.0, 0, -1.0, 0);
    assertEquals(2, drifts().size(), "two full windows, two alerts; the half window waits");
  }

  @Test
  void labeledEventsAreServedInputsTooAndAVersionWithoutASketchIsNotWatched() {
    publishLive(1, null);
    serve(2 * WINDOW, 6, 3.0, 3.0, 3.0, 3.0, 3.0);
    assertEquals(List.of(), drifts(), "version 1 carries no reference sketch");
    publishLive(2, trainingReference());
    Random random = new Random(7);
    for (int i = 0; i < WINDOW; i++) {
      float[] x = row(random, new double[] {0, 0, 2.0, 0, 0});
      List<Float> boxed = new ArrayList<>();
      for (float v : x) {
        boxed.add(v);
      }
      LabeledEvent e = LabeledEvent.newBuilder().setId("l-" + i).setEventTime(Instant.ofEpochMilli(1_000L)).setFeatures(boxed)
          .setLabel(0).build();
      labeledIn.pipeInput("l-" + i, labeledSerde.serialize(null, e), Instant.ofEpochMilli(1_000L));
    }
    List<TrainingEvent> drifts = drifts();
    assertEquals(1, drifts.size(), drifts.toString());
    assertEquals(Set.of("psi.2"), namedFeatures(drifts.get(0)));
    assertEquals(2, drifts.get(0).getModelVersion(), "the alias's version now");
  }
}
