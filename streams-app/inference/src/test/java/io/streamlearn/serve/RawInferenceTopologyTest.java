package io.streamlearn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.DeadLetters;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.tensor.SparseRows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real inference topology over raw JSON records on {@link TopologyTestDriver}: every record is
 * featurized by the pipeline of the version that scores it.
 */
class RawInferenceTopologyTest {
  private static final String MODEL = "m";
  private static final String TOPIC = "flights";
  private static final FeatureSpec SPEC = FeatureSpec.parse("origin:category(4)");
  private static final LabelSpec LABEL = LabelSpec.parse("status");
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<Prediction> predictions = AvroSerde.of(Prediction.class);
  private final List<String> refusals = new ArrayList<>();
  private ServedModel served;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> registryIn;
  private TestInputTopic<String, byte[]> flightsIn;
  private TestOutputTopic<String, byte[]> predictionsOut;
  private TestOutputTopic<String, byte[]> deadLettersOut;

  @BeforeEach
  void setUp() throws Exception {
    start(Map.of());
  }

  /** (Re)starts the driver on the real topology with the given settings on top of this test's. */
  private void start(Map<String, String> extra) throws Exception {
    if (driver != null) {
      driver.close();
    }
    Map<String, String> settings = new HashMap<>();
    settings.put(CommonKeys.MODEL_NAME, MODEL);
    settings.put(InferenceConfig.BATCH_MAX_SIZE, "1");
    settings.put(InferenceConfig.INPUT_TOPICS, TOPIC);
    settings.put(RawInputKeys.INPUT_FORMAT, "json");
    settings.put(RawInputKeys.ID_FIELD, "id");
    settings.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("raw-topology-test").toString());
    settings.putAll(extra);
    InferenceConfig config = new InferenceConfig(settings);
    Properties props = InferenceService.streamsProperties(config);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    served = new ServedModel();
    Serving serving = Serving.of(config, served, (key, value, reason, topic, partition, offset) ->
        refusals.add(key + " " + reason));
    driver = new TopologyTestDriver(InferenceTopology.build(config, serving), props);
    registryIn = driver.createInputTopic(config.getString(CommonKeys.MODELS_TOPIC),
        new StringSerializer(), new ByteArraySerializer());
    flightsIn = driver.createInputTopic(TOPIC, new StringSerializer(), new ByteArraySerializer());
    predictionsOut = driver.createOutputTopic(config.getString(CommonKeys.PREDICTIONS_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
    deadLettersOut = driver.createOutputTopic(config.getString(CommonKeys.DEAD_LETTER_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  private static InputRecord record(String origin, String status) {
    return path -> path.equals("origin") ? origin : path.equals("status") ? status : null;
  }

  /**
   * A one-layer softmax model whose pipeline learned the flights in {@code order} (origin, status
   * pairs): so the vocabulary's slots and the classes follow that order. Its weights send each
   * learned origin's slot to that origin's status class, under this version's own numbering.
   */
  private static ModelVersion version(long v, String[][] order) {
    FeaturePipeline fitting = new FeaturePipeline(SPEC, LABEL, 2);
    for (String[] flight : order) {
      fitting.learn(record(flight[0], flight[1]));
    }
    FrozenPipeline pipeline = fitting.freeze();
    FeatureLayout layout = pipeline.layout();
    int width = layout.totalWidth();
    float[] weight = new float[width * 2];
    for (String[] flight : order) {
      SparseRows row = new SparseRows(layout, 1);
      pipeline.featurize(record(flight[0], flight[1]), row);
      int input = layout.denseWidth() + row.slots()[0];
      weight[input * 2 + pipeline.label(record(flight[0], flight[1])).classIndex()] = 5f;
    }
    ModelVersion version = ModelVersion.create(MODEL, v, v - 1, Instant.EPOCH, "dense(2,softmax)",
        new Signature(width, Signature.Task.CLASSIFICATION, 2, pipeline.classes(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {width, 2}, weight),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[2])),
        new Lineage(List.of(), 0, 0, Map.of(), 1, "test"), Map.of());
    return version.withFeaturePipeline(pipeline.toJson(), Artifacts.inputs(pipeline));
  }

  private void publish(ModelVersion v) {
    publish(v, "live");
  }

  private void publish(ModelVersion v, String alias) {
    registryIn.pipeInput(v.key(), codec.encode(v));
    AliasMove move = new AliasMove(MODEL, alias, v.version(), Instant.ofEpochMilli(v.version()), "test", "", 0);
    registryIn.pipeInput(move.key(), codec.encode(move));
  }

  private void send(String key, String json) {
    flightsIn.pipeInput(key, json.getBytes(StandardCharsets.UTF_8));
  }

  private Prediction next() {
    return predictions.deserialize(null, predictionsOut.readValue());
  }

  @Test
  void eachPredictionIsFeaturizedByThePipelineOfTheVersionThatScoredIt() {
    // Version 1 met DTW (late) first, version 2 met LAS (on time) first: their slots and classes differ.
    publish(version(1, new String[][] {{"DTW", "late"}, {"LAS", "ontime"}}));
    send("k1", "{\"id\":\"f1\",\"origin\":\"DTW\",\"status\":\"late\"}");
    publish(version(2, new String[][] {{"LAS", "ontime"}, {"DTW", "late"}}));
    send("k2", "{\"id\":\"f2\",\"origin\":\"DTW\",\"status\":\"late\"}");
    send("k3", "{\"id\":\"f3\",\"origin\":\"LAS\"}");
    send("k4", "{\"id\":\"f4\",\"origin\":\"SEA\",\"status\":\"cancelled\"}");

    Prediction p1 = next();
    assertEquals(1L, p1.getModelVersion());
    assertEquals("f1", p1.getId(), "the id field");
    assertEquals(0, p1.getPredictedClass(), "DTW is version 1's first slot and 'late' its class 0");
    assertEquals("late", p1.getPredictedLabel());
    assertEquals(0, p1.getLabel(), "the record's label through version 1's classes");

    Prediction p2 = next();
    assertEquals(2L, p2.getModelVersion());
    assertEquals(1, p2.getPredictedClass(), "featurized by version 2's vocabulary, where DTW is slot 1");
    assertEquals("late", p2.getPredictedLabel(), "the same label value, under version 2's class numbers");
    assertEquals(1, p2.getLabel(), "'late' is version 2's class 1");

    Prediction p3 = next();
    assertEquals("ontime", p3.getPredictedLabel());
    assertNull(p3.getLabel(), "no label field: no label");

    Prediction p4 = next();
    assertEquals("f4", p4.getId(), "an unseen origin goes to 'other', never a dead letter");
    assertNull(p4.getLabel(), "a label value the version has no class for");
    assertTrue(deadLettersOut.isEmpty());
  }

  @Test
  void badRawRecordsAreDeadLetteredWithTheFieldAndTheReason() {
    publish(version(1, new String[][] {{"DTW", "late"}, {"LAS", "ontime"}}));
    send("bad-json", "{\"origin\":");
    send("no-origin", "{\"id\":\"f9\",\"status\":\"late\"}");
    send("good", "{\"id\":\"f10\",\"origin\":\"LAS\"}");

    TestRecord<String, byte[]> notJson = deadLettersOut.readRecord();
    assertEquals("bad-json", notJson.key());
    assertNull(notJson.headers().lastHeader(DeadLetters.FIELD), "the record as a whole is bad");
    assertTrue(DeadLetters.header(notJson.headers(), DeadLetters.REASON).startsWith("not JSON"));
    TestRecord<String, byte[]> missing = deadLettersOut.readRecord();
    assertEquals("no-origin", missing.key());
    assertEquals("origin", DeadLetters.header(missing.headers(), DeadLetters.FIELD));
    assertTrue(DeadLetters.header(missing.headers(), DeadLetters.REASON).contains("origin"));
    assertEquals("f10", next().getId(), "processing goes on");
  }

  @Test
  void aVersionWithoutAPipelineCannotServeARawTopic() {
    ModelVersion events = ModelVersion.create(MODEL, 1, 0, Instant.EPOCH, "dense(2,softmax)",
        new Signature(3, Signature.Task.CLASSIFICATION, 2, List.of(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {3, 2}, new float[6]),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[2])),
        new Lineage(List.of(), 0, 0, Map.of(), 1, "test"), Map.of());
    publish(events);
    assertNull(served.current(), "refused");
    assertEquals(1, refusals.size());
    assertTrue(refusals.get(0).contains("no feature pipeline"), refusals.get(0));
    publish(version(2, new String[][] {{"DTW", "late"}, {"LAS", "ontime"}}));
    assertEquals(2L, served.current().version().version(), "a version with a pipeline serves");
    assertTrue(served.current().pipeline() != null, "its pipeline parsed once, with the version");
  }

  @Test
  void aCanaryFeaturizesItsShareOfRecordsWithItsOwnPipelineInMixedMicroBatches() throws Exception {
    start(Map.of(InferenceConfig.BATCH_MAX_SIZE, "4", InferenceConfig.CANARY_ALIAS, "canary",
        InferenceConfig.CANARY_SHARE, "0.5"));
    CanarySplit split = new CanarySplit("canary", 0.5);
    // Opposite vocabularies and class numbers: a row featurized by the other version's pipeline
    // would be scored as the other origin.
    publish(version(1, new String[][] {{"DTW", "late"}, {"LAS", "ontime"}}));
    publish(version(2, new String[][] {{"LAS", "ontime"}, {"DTW", "late"}}), "canary");
    int n = 40;
    for (int i = 0; i < n; i++) {
      String origin = i % 2 == 0 ? "DTW" : "LAS";
      send("k" + i, "{\"id\":\"f" + i + "\",\"origin\":\"" + origin + "\",\"status\":\""
          + (i % 2 == 0 ? "late" : "ontime") + "\"}");
    }
    int canaried = 0;
    for (int i = 0; i < n; i++) {
      Prediction p = next();
      assertEquals("f" + i, p.getId(), "in input order");
      boolean toCanary = split.routes("k" + i); // the record key, when there is one
      canaried += toCanary ? 1 : 0;
      assertEquals(toCanary ? "canary" : "live", p.getAlias(), p.getId());
      assertEquals(toCanary ? 2L : 1L, p.getModelVersion(), p.getId());
      String status = i % 2 == 0 ? "late" : "ontime";
      assertEquals(status, p.getPredictedLabel(), p.getId() + " featurized by its scorer's own vocabulary");
      int classOfStatus = (status.equals("late") ? 0 : 1) ^ (toCanary ? 1 : 0); // version 2 numbers them the other way
      assertEquals(classOfStatus, p.getLabel(), p.getId() + ": its label through the scoring version's classes");
    }
    assertTrue(predictionsOut.isEmpty(), "one prediction per record");
    assertTrue(canaried > 0 && canaried < n, "both aliases scored some of the 40 records: " + canaried);
  }
}
