package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Evaluation;
import io.streamlearn.schema.LabelEvent;
import io.streamlearn.schema.LabelSource;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.ServedMetrics;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.TrainerConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
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

/** The real evaluation topology on {@link TopologyTestDriver}. */
class EvaluationTopologyTest {
  private static final String MODEL = "m";
  private static final String INPUT = "streamlearn.labeled";
  private static final long WINDOW_MS = 10_000;
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<Prediction> predictions = AvroSerde.of(Prediction.class);
  private final AvroSerde<LabelEvent> labels = AvroSerde.of(LabelEvent.class);
  private final AvroSerde<Evaluation> evaluations = AvroSerde.of(Evaluation.class);
  private final AvroSerde<ServedMetrics> served = AvroSerde.of(ServedMetrics.class);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> registryIn;
  private TestInputTopic<String, byte[]> predictionsIn;
  private TestInputTopic<String, byte[]> labelsIn;
  private TestOutputTopic<String, byte[]> evaluationsOut;
  private TestOutputTopic<String, byte[]> servedOut;
  private TestOutputTopic<String, byte[]> deadLettersOut;

  @BeforeEach
  void setUp() throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put(CommonKeys.MODEL_NAME, MODEL);
    settings.put(EvaluationConfig.LABEL_WINDOW_MS, String.valueOf(WINDOW_MS));
    settings.put(EvaluationConfig.METRICS_WINDOW_MS, "60000");
    settings.put(EvaluationConfig.PUBLISH_INTERVAL_MS, "1000");
    settings.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("evaluation-test").toString());
    EvaluationConfig config = new EvaluationConfig(settings);
    Properties props = EvaluationService.streamsProperties(config.settings());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver = new TopologyTestDriver(EvaluationTopology.build(config.settings()), props, Instant.EPOCH);
    StringSerializer s = new StringSerializer();
    ByteArraySerializer b = new ByteArraySerializer();
    registryIn = driver.createInputTopic(config.getString(CommonKeys.MODELS_TOPIC), s, b);
    predictionsIn = driver.createInputTopic(config.getString(CommonKeys.PREDICTIONS_TOPIC), s, b);
    labelsIn = driver.createInputTopic(config.getString(CommonKeys.LABELS_TOPIC), s, b);
    evaluationsOut = driver.createOutputTopic(config.getString(EvaluationConfig.EVALUATIONS_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
    servedOut = driver.createOutputTopic(config.getString(EvaluationConfig.SERVED_METRICS_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
    deadLettersOut = driver.createOutputTopic(config.getString(CommonKeys.DEAD_LETTER_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  /** A version of a 3-class model whose lineage trained on {@code [from, until)} of the input's partition 0. */
  private void publishVersion(long version, long from, long until, double holdoutFraction) {
    ModelVersion v = ModelVersion.create(MODEL, version, version - 1, Instant.EPOCH, "dense(3,softmax)",
        new Signature(2, Signature.Task.CLASSIFICATION, 3, List.of(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {2, 3}, new float[6]),
            new NamedTensor("layers.0.bias", new int[] {3}, new float[3])),
        new Lineage(List.of(new OffsetRange(INPUT, 0, from, until)), until, until - from,
            Map.of(TrainerConfig.HOLDOUT_FRACTION, String.valueOf(holdoutFraction)), 1, "test"), Map.of());
    registryIn.pipeInput(v.key(), codec.encode(v), Instant.EPOCH);
  }

  private static Prediction prediction(String id, long version, int predicted, Object label, long offset,
                                       float... scores) {
    List<Float> boxed = IntStream.range(0, scores.length).mapToObj(i -> scores[i]).toList();
    return Prediction.newBuilder().setId(id).setEventTime(1_000).setModel(MODEL).setModelVersion(version)
        .setPredictedClass(predicted).setScores(boxed).setLabel(label).setLatencyMicros(1).setAlias("live")
        .setSourceTopic(INPUT).setSourcePartition(0).setSourceOffset(offset).build();
  }

  private void sendPrediction(Prediction p, long timestamp) {
    predictionsIn.pipeInput(p.getId(), predictions.serialize(null, p), timestamp);
  }

  private void sendLabel(String id, int label, long timestamp) {
    labelsIn.pipeInput(id, labels.serialize(null, new LabelEvent(id, Instant.ofEpochMilli(timestamp), label)),
        timestamp);
  }

  private List<Evaluation> evaluated() {
    return evaluationsOut.readValuesToList().stream().map(v -> evaluations.deserialize(null, v)).toList();
  }

  /** The newest all-time served metrics per key, after a publication. */
  private Map<String, ServedMetrics> totals() {
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    Map<String, ServedMetrics> out = new LinkedHashMap<>();
    servedOut.readKeyValuesToList().forEach(kv -> {
      ServedMetrics m = served.deserialize(null, kv.value);
      if (m.getWindowEnd() == Long.MAX_VALUE) {
        out.put(kv.key, m);
      }
    });
    return out;
  }

  @Test
  void aLabelArrivingAfterOrBeforeItsPredictionOrCarriedByItIsJoinedOnce() {
    publishVersion(1, 100, 200, 0);
    sendPrediction(prediction("after", 1, 0, null, 1, 0.7f, 0.2f, 0.1f), 1_000);
    assertTrue(evaluationsOut.isEmpty(), "the prediction waits for its label");
    sendLabel("after", 0, 1_500);
    sendLabel("before", 2, 1_600);
    sendPrediction(prediction("before", 1, 0, null, 2, 0.7f, 0.2f, 0.1f), 1_700);
    sendPrediction(prediction("carried", 1, 1, 1, 3, 0.1f, 0.8f, 0.1f), 1_800);
    List<Evaluation> e = evaluated();
    assertEquals(List.of("after", "before", "carried"), e.stream().map(Evaluation::getId).toList());
    assertEquals(List.of(true, false, true), e.stream().map(Evaluation::getCorrect).toList());
    assertEquals(List.of(LabelSource.LABEL_EVENT, LabelSource.LABEL_EVENT, LabelSource.PREDICTION),
        e.stream().map(Evaluation::getLabelSource).toList());
    assertEquals(-Math.log(0.7f), e.get(0).getLoss(), 1e-6, "cross-entropy of the true class");
    assertEquals(-Math.log(0.1f), e.get(1).getLoss(), 1e-6);
    assertEquals("live", e.get(0).getAlias());
  }

  @Test
  void outOfOrderAndDuplicateLabelsAndPredictionsEvaluateEachPredictionOnce() {
    publishVersion(1, 100, 200, 0);
    sendLabel("b", 1, 1_000);
    sendPrediction(prediction("a", 1, 0, null, 1, 0.6f, 0.3f, 0.1f), 1_100);
    sendLabel("b", 0, 1_150); // a duplicate label: the first one counts
    sendPrediction(prediction("b", 1, 1, null, 2, 0.2f, 0.7f, 0.1f), 1_200);
    sendLabel("a", 0, 1_300);
    sendLabel("a", 2, 1_400);
    sendPrediction(prediction("b", 1, 1, null, 2, 0.2f, 0.7f, 0.1f), 1_500); // the same prediction again
    List<Evaluation> e = evaluated();
    assertEquals(List.of("b", "a"), e.stream().map(Evaluation::getId).toList(), "each once");
    assertEquals(1, e.get(0).getLabel(), "the first label of b");
    assertEquals(0, e.get(1).getLabel(), "the first label of a");
    assertTrue(deadLettersOut.isEmpty());
  }

  @Test
  void aPredictionWhoseLabelComesAfterTheWindowIsNeverEvaluated() {
    publishVersion(1, 100, 200, 0);
    sendPrediction(prediction("late", 1, 0, null, 1, 0.6f, 0.3f, 0.1f), 1_000);
    sendPrediction(prediction("in-time", 1, 0, null, 2, 0.6f, 0.3f, 0.1f), 1_000 + WINDOW_MS / 2);
    // stream time moves past the first prediction's window, not the second's
    sendPrediction(prediction("other", 1, 0, null, 3, 0.6f, 0.3f, 0.1f), 2_000 + WINDOW_MS);
    sendLabel("late", 0, 2_100 + WINDOW_MS);
    sendLabel("in-time", 0, 2_200 + WINDOW_MS);
    assertEquals(List.of("in-time"), evaluated().stream().map(Evaluation::getId).toList());
  }

  @Test
  void aPredictionByAVersionWhoseLineageCoversItsInputIsLeakedAndExcludedFromServedMetrics() {
    publishVersion(1, 0, 10, 0);
    publishVersion(2, 10, 20, 0);
    sendPrediction(prediction("seen-by-parent", 2, 0, 1, 5, 0.9f, 0.05f, 0.05f), 1_000);
    sendPrediction(prediction("seen-by-itself", 2, 0, 0, 15, 0.9f, 0.05f, 0.05f), 1_000);
    sendPrediction(prediction("not-yet-seen", 1, 0, 0, 15, 0.9f, 0.05f, 0.05f), 1_000);
    sendPrediction(prediction("future", 2, 0, 1, 25, 0.9f, 0.05f, 0.05f), 1_000);
    List<Evaluation> e = evaluated();
    assertEquals(List.of(true, true, false, false), e.stream().map(Evaluation::getLeaked).toList());
    Map<String, ServedMetrics> t = totals();
    ServedMetrics v2 = t.get("m:2@live");
    assertEquals(2, v2.getLeaked());
    assertEquals(1, v2.getEvaluated());
    assertEquals(0.0, v2.getMetrics().get("accuracy"), 1e-12, "only 'future' counts, and it is wrong");
    assertEquals(1.0, t.get("m:1@live").getMetrics().get("accuracy"), 1e-12);
    assertEquals(0, t.get("m:1@live").getLeaked());
  }

  @Test
  void anInputTheTrainerHeldOutIsNeverLeaked() {
    double fraction = 0.3;
    String held = IntStream.range(0, 1000).mapToObj(i -> "e" + i).filter(id -> HoldOut.isHeldOut(id, fraction))
        .findFirst().orElseThrow();
    String trained = IntStream.range(0, 1000).mapToObj(i -> "e" + i)
        .filter(id -> !HoldOut.isHeldOut(id, fraction)).findFirst().orElseThrow();
    publishVersion(1, 0, 10, fraction);
    sendPrediction(prediction(held, 1, 0, 0, 3, 0.9f, 0.05f, 0.05f), 1_000);
    sendPrediction(prediction(trained, 1, 0, 0, 4, 0.9f, 0.05f, 0.05f), 1_000);
    assertEquals(List.of(false, true), evaluated().stream().map(Evaluation::getLeaked).toList());
  }

  @Test
  void aVersionNotInTheRegistryViewIsNotJudgedLeaked() {
    sendPrediction(prediction("x", 7, 0, 0, 3, 0.9f, 0.05f, 0.05f), 1_000);
    assertFalse(evaluated().get(0).getLeaked());
  }

  @Test
  void servedMetricsAreTheHandComputedAccuracyLogLossCalibrationAndRecall() {
    publishVersion(1, 100, 200, 0);
    // predicted, label, scores (confidence = score of the predicted class)
    sendPrediction(prediction("p1", 1, 0, 0, 1, 0.95f, 0.03f, 0.02f), 1_000); // right, conf .95 bin 9
    sendPrediction(prediction("p2", 1, 0, 1, 2, 0.92f, 0.05f, 0.03f), 1_000); // wrong, conf .92 bin 9
    sendPrediction(prediction("p3", 1, 1, 1, 3, 0.3f, 0.6f, 0.1f), 1_000);    // right, conf .6 bin 6
    sendPrediction(prediction("p4", 1, 2, 1, 4, 0.2f, 0.35f, 0.45f), 1_000);  // wrong, conf .45 bin 4
    ServedMetrics m = totals().get("m:1@live");
    Map<String, Double> x = m.getMetrics();
    assertEquals(4, m.getEvaluated());
    assertEquals(0.5, x.get("accuracy"), 1e-12);
    double logLoss = -(Math.log(0.95f) + Math.log(0.05f) + Math.log(0.6f) + Math.log(0.35f)) / 4;
    assertEquals(logLoss, x.get("logLoss"), 1e-9);
    // bins: 9 holds .95 and .92 with 1 of 2 right; 6 holds .6, right; 4 holds .45, wrong
    double ece = (2 * Math.abs((0.95f + 0.92f) / 2 - 0.5) + Math.abs(0.6f - 1) + Math.abs(0.45f - 0)) / 4;
    assertEquals(ece, x.get("ece"), 1e-7);
    assertEquals(1.0, x.get("recall.0"), 1e-12, "class 0: p1 right");
    assertEquals(1.0 / 3, x.get("recall.1"), 1e-12, "class 1: p3 right of p2, p3, p4");
    assertNull(x.get("recall.2"), "no example of class 2");
  }

  @Test
  void regressionServesMaeAndRmse() {
    publishVersion(1, 100, 200, 0);
    for (float[] pair : new float[][] {{1.5f, 1f}, {2f, 4f}}) {
      Prediction p = Prediction.newBuilder().setId("r" + pair[0]).setEventTime(1_000).setModel(MODEL)
          .setModelVersion(1).setPredictedClass(null).setScores(List.of(pair[0])).setLabel(pair[1])
          .setLatencyMicros(1).setAlias("live").build();
      sendPrediction(p, 1_000);
    }
    Map<String, Double> x = totals().get("m:1@live").getMetrics();
    assertEquals((0.5 + 2) / 2, x.get("mae"), 1e-6);
    assertEquals(Math.sqrt((0.25 + 4) / 2), x.get("rmse"), 1e-6);
  }

  @Test
  void anUndecodablePredictionGoesToTheDeadLetterTopic() {
    predictionsIn.pipeInput("junk", new byte[] {1, 2, 3}, 1_000);
    assertEquals("junk", deadLettersOut.readKeyValue().key);
    assertTrue(evaluationsOut.isEmpty());
  }
}
