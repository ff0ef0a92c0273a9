package io.streamlearn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamlearn.app.DeadLetters;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.Prediction;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
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

/** The real inference topology on {@link TopologyTestDriver}. */
class InferenceTopologyTest {
  private static final String MODEL = "m";
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<FeatureEvent> features = AvroSerde.of(FeatureEvent.class);
  private final AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
  private final AvroSerde<Prediction> predictions = AvroSerde.of(Prediction.class);
  private final List<String> refusals = new ArrayList<>();
  private ServedModel served;
  private Serving serving;
  private MeterRegistry meters;
  private TopologyTestDriver driver;
  private TestOutputTopic<String, byte[]> shadowOut;
  private TestInputTopic<String, byte[]> registryIn;
  private TestInputTopic<String, byte[]> featuresIn;
  private TestInputTopic<String, byte[]> labeledIn;
  private TestOutputTopic<String, byte[]> predictionsOut;
  private TestOutputTopic<String, byte[]> deadLettersOut;

  @BeforeEach
  void setUp() throws Exception {
    start(Map.of(InferenceConfig.BATCH_MAX_SIZE, "1"));
  }

  /** (Re)starts the driver on the real topology with the given settings on top of the defaults. */
  private void start(Map<String, String> extra) throws Exception {
    if (driver != null) {
      driver.close();
    }
    Map<String, String> settings = new HashMap<>();
    settings.put(CommonKeys.MODEL_NAME, MODEL);
    settings.put(InferenceConfig.MAX_PENDING_EVENTS, "3");
    settings.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("topology-test").toString());
    settings.putAll(extra);
    InferenceConfig config = new InferenceConfig(settings);
    Properties props = InferenceService.streamsProperties(config);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    served = new ServedModel();
    meters = new SimpleMeterRegistry();
    serving = Serving.of(config, served, (key, value, reason, topic, partition, offset) ->
        refusals.add(key + " " + reason + " @" + topic + "-" + partition + ":" + offset), meters);
    driver = new TopologyTestDriver(InferenceTopology.build(config, serving), props);
    shadowOut = driver.createOutputTopic(config.getString(InferenceConfig.SHADOW_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
    registryIn = driver.createInputTopic(config.getString(CommonKeys.MODELS_TOPIC),
        new StringSerializer(), new ByteArraySerializer());
    featuresIn = driver.createInputTopic(config.getString(CommonKeys.FEATURES_TOPIC),
        new StringSerializer(), new ByteArraySerializer());
    labeledIn = driver.createInputTopic(config.getString(CommonKeys.LABELED_TOPIC),
        new StringSerializer(), new ByteArraySerializer());
    predictionsOut = driver.createOutputTopic(config.getString(CommonKeys.PREDICTIONS_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
    deadLettersOut = driver.createOutputTopic(config.getString(CommonKeys.DEAD_LETTER_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  /** A 2-feature, 3-class linear model of {@value #MODEL} that always predicts {@code winner}. */
  static ModelVersion version(long v, int winner) {
    float[] bias = new float[3];
    bias[winner] = 5f;
    return ModelVersion.create(MODEL, v, v - 1, Instant.EPOCH, "dense(3,softmax)",
        new Signature(2, Signature.Task.CLASSIFICATION, 3, List.of(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {2, 3}, new float[6]),
            new NamedTensor("layers.0.bias", new int[] {3}, bias)),
        new Lineage(List.of(), 0, 0, Map.of(), 1, "test"), Map.of());
  }

  private void publish(ModelVersion v) {
    publish(v, "live", Instant.now());
  }

  /** Publishes a version and moves {@code alias} to it, both records stamped {@code at}. */
  private void publish(ModelVersion v, String alias, Instant at) {
    registryIn.pipeInput(v.key(), codec.encode(v), at);
    AliasMove move = new AliasMove(MODEL, alias, v.version(), Instant.EPOCH, "test", "", 0);
    registryIn.pipeInput(move.key(), codec.encode(move), at);
  }

  private void sendFeatures(String id, float... x) {
    featuresIn.pipeInput(id, features.serialize(null,
        new FeatureEvent(id, Instant.ofEpochMilli(1000), FloatLists.boxed(x))));
  }

  private Prediction next() {
    return predictions.deserialize(null, predictionsOut.readValue());
  }

  @Test
  void swapsMidStreamAndEachPredictionNamesItsVersion() {
    publish(version(1, 0));
    sendFeatures("a", 1, 2);
    publish(version(2, 2));
    sendFeatures("b", 1, 2);
    Prediction a = next();
    Prediction b = next();
    assertEquals(1, a.getModelVersion());
    assertEquals(0, a.getPredictedClass());
    assertEquals(2, b.getModelVersion());
    assertEquals(2, b.getPredictedClass());
    assertEquals(3, b.getScores().size());
    assertEquals(1.0, b.getScores().stream().mapToDouble(Float::doubleValue).sum(), 1e-5);
    assertNull(b.getLabel());
    assertEquals(2, served.swaps());
  }

  @Test
  void eachPredictionNamesItsClassByTheLabelValueOfTheVersionThatScoredIt() {
    ModelVersion first = version(1, 2);
    publish(new ModelVersion(first.name(), 1, 0, first.createdAt(), first.architecture(),
        first.signature().withClassNames(List.of("on-time", "late", "cancelled")), first.preprocessing(),
        first.tensors(), first.checksum(), first.lineage(), first.metrics()));
    sendFeatures("a", 1, 2);
    ModelVersion second = version(2, 2);
    publish(new ModelVersion(second.name(), 2, 1, second.createdAt(), second.architecture(),
        second.signature().withClassNames(List.of("a", "b", "c")), second.preprocessing(),
        second.tensors(), second.checksum(), second.lineage(), second.metrics()));
    sendFeatures("b", 1, 2);
    publish(version(3, 2));
    sendFeatures("c", 1, 2);
    Prediction a = next();
    Prediction b = next();
    Prediction c = next();
    assertEquals(2, a.getPredictedClass());
    assertEquals("cancelled", a.getPredictedLabel());
    assertEquals("c", b.getPredictedLabel(), "version 2's own class names");
    assertEquals(2, c.getPredictedClass());
    assertNull(c.getPredictedLabel(), "a version without class names gives no label value");
  }

  @Test
  void labeledEventsCarryTheirTrueLabel() {
    publish(version(1, 1));
    labeledIn.pipeInput("l", labeled.serialize(null,
        new LabeledEvent("l", Instant.ofEpochMilli(5), FloatLists.boxed(new float[] {0, 0}), 2)));
    Prediction p = next();
    assertEquals("l", p.getId());
    assertEquals(2, p.getLabel());
    assertEquals(1, p.getPredictedClass());
    assertEquals(5, p.getEventTime());
  }

  @Test
  void eachPredictionNamesItsAliasAndTheInputRecordItScored() {
    publish(version(1, 1));
    sendFeatures("f0", 1, 2);
    labeledIn.pipeInput("l0", labeled.serialize(null,
        new LabeledEvent("l0", Instant.ofEpochMilli(5), FloatLists.boxed(new float[] {0, 0}), 2)));
    sendFeatures("f1", 1, 2);
    Prediction f0 = next();
    Prediction l0 = next();
    Prediction f1 = next();
    assertEquals("live", f0.getAlias());
    assertEquals(List.of("streamlearn.features", 0, 0L),
        List.of(f0.getSourceTopic(), f0.getSourcePartition(), f0.getSourceOffset()));
    assertEquals(List.of("streamlearn.labeled", 0, 0L),
        List.of(l0.getSourceTopic(), l0.getSourcePartition(), l0.getSourceOffset()));
    assertEquals(1L, f1.getSourceOffset(), "the second record of the features topic");
  }

  @Test
  void badVersionIsRefusedAndTheOldOneKeepsServing() {
    publish(version(1, 0));
    ModelVersion good = version(2, 2);
    ModelVersion corrupt = new ModelVersion(MODEL, 2, 1, Instant.EPOCH, good.architecture(),
        good.signature(), good.preprocessing(), version(2, 1).tensors(), good.checksum(),
        good.lineage(), Map.of());
    publish(corrupt);
    sendFeatures("x", 0, 0);
    assertEquals(1, next().getModelVersion(), "still served by version 1");
    assertEquals(1, served.refused());
    ModelVersion wrongSignature = ModelVersion.create(MODEL, 3, 1, Instant.EPOCH, "dense(3,softmax)",
        new Signature(4, Signature.Task.CLASSIFICATION, 3, List.of(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {4, 3}, new float[12]),
            new NamedTensor("layers.0.bias", new int[] {3}, new float[3])),
        good.lineage(), Map.of());
    publish(wrongSignature);
    sendFeatures("y", 0, 0);
    assertEquals(1, next().getModelVersion(), "a version with another feature count is refused");
    assertEquals(2, served.refused());
    assertEquals(2, refusals.size(), "both refusals reported to the dead-letter sink: " + refusals);
    assertTrue(refusals.get(0).startsWith("m:2 ") && refusals.get(0).contains("checksum"), refusals.get(0));
    assertTrue(refusals.get(1).startsWith("m:3 ") && refusals.get(1).contains("signature"), refusals.get(1));
    assertTrue(refusals.get(1).endsWith("@streamlearn.models-0:5"),
        "source coordinates of the alias move that triggered the check: " + refusals.get(1));
  }

  @Test
  void badRecordsGoToTheDeadLetterTopicWithReasonAndSource() {
    publish(version(1, 0));
    featuresIn.pipeInput("garbage", "not avro".getBytes(StandardCharsets.UTF_8));
    sendFeatures("short", 1);
    sendFeatures("nan", 1, Float.NaN);
    labeledIn.pipeInput("label", labeled.serialize(null,
        new LabeledEvent("label", Instant.EPOCH, FloatLists.boxed(new float[] {0, 0}), 7)));
    sendFeatures("ok", 1, 1);
    List<TestRecord<String, byte[]>> dead = deadLettersOut.readRecordsToList();
    assertEquals(List.of("garbage", "short", "nan", "label"), dead.stream().map(TestRecord::key).toList());
    assertTrue(reason(dead.get(0)).contains("not Avro single-object encoding"), reason(dead.get(0)));
    assertTrue(reason(dead.get(1)).contains("expected 2, found 1"), reason(dead.get(1)));
    assertTrue(reason(dead.get(2)).contains("NaN"), reason(dead.get(2)));
    assertTrue(reason(dead.get(3)).contains("out of range"), reason(dead.get(3)));
    assertEquals("0", DeadLetters.header(dead.get(0).headers(), DeadLetters.OFFSET));
    assertEquals("not avro", new String(dead.get(0).value(), StandardCharsets.UTF_8), "value kept as is");
    assertEquals("ok", next().getId());
    assertTrue(predictionsOut.isEmpty());
  }

  @Test
  void eventsBeforeTheFirstModelWaitAndBeyondTheBoundGoToDeadLetters() {
    sendFeatures("w1", 1, 1);
    sendFeatures("w2", 1, 1);
    sendFeatures("w3", 1, 1);
    sendFeatures("w4", 1, 1);
    assertTrue(predictionsOut.isEmpty(), "no model, no prediction");
    List<TestRecord<String, byte[]>> dead = deadLettersOut.readRecordsToList();
    assertEquals(List.of("w4"), dead.stream().map(TestRecord::key).toList());
    assertTrue(reason(dead.get(0)).contains("max.pending.events"), reason(dead.get(0)));
    publish(version(1, 2));
    driver.advanceWallClockTime(Duration.ofMillis(100));
    List<String> ids = List.of(next().getId(), next().getId(), next().getId());
    assertEquals(List.of("w1", "w2", "w3"), ids, "waiting events scored in arrival order");
    sendFeatures("after", 1, 1);
    assertEquals("after", next().getId());
  }

  @Test
  void microBatchesFillOrLingerAndAreScoredByTheVersionServedAtFlushTime() throws Exception {
    start(Map.of(InferenceConfig.BATCH_MAX_SIZE, "4", InferenceConfig.BATCH_LINGER_MS, "50"));
    publish(version(1, 0));
    sendFeatures("a", 1, 1);
    sendFeatures("b", 1, 1);
    sendFeatures("c", 1, 1);
    assertTrue(predictionsOut.isEmpty(), "a batch of 3 waits for a 4th event or the linger");
    sendFeatures("d", 1, 1);
    List<Prediction> first = List.of(next(), next(), next(), next());
    assertEquals(List.of("a", "b", "c", "d"), first.stream().map(Prediction::getId).toList());
    assertEquals(4.0, serving.metrics().getMeanBatchSize(), 1e-9, "one forward pass of 4 rows");
    sendFeatures("e", 1, 1);
    publish(version(2, 1));
    assertTrue(predictionsOut.isEmpty(), "e waits for its batch");
    driver.advanceWallClockTime(Duration.ofMillis(60));
    Prediction e = next();
    assertEquals("e", e.getId());
    assertEquals(2, e.getModelVersion(), "scored by the version served when the batch was scored");
    assertEquals(1, e.getPredictedClass());
    assertTrue(predictionsOut.isEmpty());
  }

  @Test
  void withoutALingerAnEventAfterAQuietMillisecondIsScoredOnArrivalAlone() throws Exception {
    start(Map.of()); // the defaults: batch.max.size=32, batch.linger.ms=0
    publish(version(1, 0));
    sendFeatures("a", 1, 1);
    assertEquals("a", next().getId(), "scored on arrival, no punctuation needed");
    driver.advanceWallClockTime(Duration.ofMillis(5));
    sendFeatures("b", 1, 1);
    assertEquals("b", next().getId());
    assertEquals(1.0, serving.metrics().getMeanBatchSize(), 1e-9, "one forward pass per quiet event");
  }

  @Test
  void withoutALingerEventsThatKeepUpAreScoredOnArrivalEvenBackToBack() throws Exception {
    start(Map.of());
    publish(version(1, 0));
    for (String id : List.of("a", "b", "c")) {
      sendFeatures(id, 1, 1); // appended now, processed in the same pass
    }
    assertEquals(List.of("a", "b", "c"), List.of(next().getId(), next().getId(), next().getId()));
    assertEquals(1.0, serving.metrics().getMeanBatchSize(), 1e-9, "no backlog, no batch");
  }

  @Test
  void withoutALingerABacklogIsScoredInBatchesInArrivalOrder() throws Exception {
    start(Map.of(InferenceConfig.BATCH_MAX_SIZE, "3"));
    publish(version(1, 0));
    // Appended a second ago, processed in one pass (Kafka Streams stamps a pass with one wall-clock
    // time): the thread is behind its input.
    Instant appended = Instant.now().minusSeconds(1);
    for (String id : List.of("a", "b", "c", "d", "e", "f")) {
      featuresIn.pipeInput(id, features.serialize(null,
          new FeatureEvent(id, Instant.ofEpochMilli(1000), FloatLists.boxed(new float[] {1, 1}))), appended);
    }
    List<String> scored = new ArrayList<>();
    predictionsOut.readValuesToList().forEach(v -> scored.add(predictions.deserialize(null, v).getId()));
    assertEquals(List.of("a", "b", "c", "d"), scored, "a alone on arrival, then b c d once 3 were queued");
    assertTrue(predictionsOut.isEmpty(), "e and f wait for the end of the pass");
    driver.advanceWallClockTime(Duration.ofMillis(PredictProcessor.QUIET_MILLIS));
    assertEquals(List.of("e", "f"), List.of(next().getId(), next().getId()), "the punctuator scores the rest");
    assertEquals(2.0, serving.metrics().getMeanBatchSize(), 1e-9, "passes of 1, 3 and 2 rows");
  }

  @Test
  void withoutALingerAnEventThatKeepsUpFirstScoresWhatTheBacklogLeftQueued() throws Exception {
    start(Map.of(InferenceConfig.BATCH_MAX_SIZE, "3"));
    publish(version(1, 0));
    Instant appended = Instant.now().minusSeconds(1);
    for (String id : List.of("a", "b", "c", "d", "e")) {
      featuresIn.pipeInput(id, features.serialize(null,
          new FeatureEvent(id, Instant.ofEpochMilli(1000), FloatLists.boxed(new float[] {1, 1}))), appended);
    }
    assertEquals(List.of("a", "b", "c", "d"), List.of(next().getId(), next().getId(), next().getId(), next().getId()));
    assertTrue(predictionsOut.isEmpty(), "e is queued");
    sendFeatures("fresh", 1, 1);
    assertEquals(List.of("e", "fresh"), List.of(next().getId(), next().getId()), "the queue first, in order");
  }

  @Test
  void shadowAliasScoresEveryEventToTheShadowTopic() throws Exception {
    start(Map.of(InferenceConfig.BATCH_MAX_SIZE, "1", InferenceConfig.SHADOW_ALIAS, "challenger"));
    publish(version(1, 0));
    sendFeatures("before-challenger", 1, 1);
    assertTrue(shadowOut.isEmpty(), "no challenger yet, no shadow prediction");
    publish(version(2, 2), "challenger", Instant.now());
    sendFeatures("x", 1, 1);
    assertEquals(List.of("before-challenger", "x"), List.of(next().getId(), next().getId()));
    Prediction shadow = predictions.deserialize(null, shadowOut.readValue());
    assertEquals("x", shadow.getId());
    assertEquals(2, shadow.getModelVersion(), "shadow prediction by the challenger");
    assertEquals(2, shadow.getPredictedClass());
    assertEquals("challenger", shadow.getAlias(), "a shadow prediction names the shadow alias");
    assertEquals(1, served.current().version().version(), "live still serves version 1");
    assertEquals(1, serving.metrics().getShadowPredictionsTotal());
    assertEquals(2, serving.metrics().getShadowVersion());
  }

  @Test
  void metricsCountPredictionsSwapsAndPublicationToFirstPrediction() {
    Instant published = Instant.now().minusMillis(300);
    publish(version(1, 0), "live", published);
    sendFeatures("a", 1, 1);
    sendFeatures("b", 1, 1);
    publish(version(2, 1), "live", Instant.now());
    sendFeatures("c", 1, 1);
    InferenceMetrics m = serving.metrics();
    assertEquals(3, m.getPredictionsTotal());
    assertEquals(2, m.getServedVersion());
    assertEquals(2, m.getSwapCount());
    long[] firsts = m.publicationToFirstPredictionMillis();
    assertEquals(2, firsts.length, "one publication-to-first-prediction sample per version");
    assertTrue(firsts[0] >= 300 && firsts[0] < 60_000, "version 1 published 300 ms before: " + firsts[0]);
    assertTrue(m.getLatencyP99Micros() > 0, "latency recorded: " + m.getLatencyP99Micros());
    assertTrue(m.statusLine().contains("serving v2"), m.statusLine());
  }

  @Test
  void theRegistryCountsPredictionsByVersionAndAliasSwapsLatenciesAndTheServedVersion() {
    publish(version(1, 0), "live", Instant.now().minusMillis(300));
    sendFeatures("a", 1, 1);
    sendFeatures("b", 1, 1);
    publish(version(2, 1), "live", Instant.now());
    sendFeatures("c", 1, 1);
    assertEquals(2.0, predictionsOf("1", "live"), "version 1 made a and b");
    assertEquals(1.0, predictionsOf("2", "live"), "version 2 made c");
    assertEquals(2.0, meters.get(InferenceMetrics.SWAPS).tags("model", MODEL, "alias", "live").functionCounter().count());
    assertEquals(2.0, meters.get(InferenceMetrics.SERVED_VERSION).tags("alias", "live").gauge().value());
    assertEquals(3, meters.get(InferenceMetrics.LATENCY).tags("model", MODEL, "alias", "live").timer().count(),
        "one latency sample per prediction");
    assertEquals(3, meters.get(InferenceMetrics.BATCH_SIZE).summary().count(), "three forward passes of one row");
    var firsts = meters.get(InferenceMetrics.FIRST_PREDICTION).tags("alias", "live").timer();
    assertEquals(2, firsts.count(), "one publication-to-first-prediction sample per version");
    assertTrue(firsts.max(java.util.concurrent.TimeUnit.MILLISECONDS) >= 300, "version 1 published 300 ms before");
    assertEquals(3, serving.metrics().getPredictionsTotal(), "the status line reads the same counters");
  }

  @Test
  void theRegistryCountsRefusalsByReasonDeadLettersAndWaitingEvents() {
    sendFeatures("w1", 1, 1);
    sendFeatures("w2", 1, 1);
    assertEquals(2.0, meters.get(InferenceMetrics.QUEUED).gauge().value(), "two events wait for a model");
    assertEquals(0.0, meters.get(InferenceMetrics.SERVED_VERSION).tags("alias", "live").gauge().value(),
        "0 before the first version");
    assertTrue(serving.metrics().statusLine().startsWith("no model yet for m@live |"), serving.metrics().statusLine());
    publish(version(1, 0));
    driver.advanceWallClockTime(Duration.ofMillis(100));
    assertEquals(0.0, meters.get(InferenceMetrics.QUEUED).gauge().value(), "the waiting events were scored");
    ModelVersion good = version(2, 2);
    publish(new ModelVersion(MODEL, 2, 1, Instant.EPOCH, good.architecture(), good.signature(),
        good.preprocessing(), version(2, 1).tensors(), good.checksum(), good.lineage(), Map.of()));
    assertEquals(1.0, refusedFor("decode"), "a checksum mismatch is refused when decoding");
    assertEquals(0.0, refusedFor("signature"));
    featuresIn.pipeInput("garbage", "not avro".getBytes(StandardCharsets.UTF_8));
    sendFeatures("short", 1);
    assertEquals(2.0, meters.get(InferenceMetrics.DEAD_LETTERS).counter().count());
    assertEquals(2, serving.metrics().getDeadLetterCount());
  }

  @Test
  void shadowPredictionsAreCountedUnderTheShadowAliasAndItsVersion() throws Exception {
    start(Map.of(InferenceConfig.BATCH_MAX_SIZE, "1", InferenceConfig.SHADOW_ALIAS, "challenger"));
    publish(version(1, 0));
    publish(version(2, 2), "challenger", Instant.now());
    sendFeatures("x", 1, 1);
    sendFeatures("y", 1, 1);
    assertEquals(2.0, predictionsOf("1", "live"));
    assertEquals(2.0, predictionsOf("2", "challenger"));
    assertEquals(2.0, meters.get(InferenceMetrics.SERVED_VERSION).tags("alias", "challenger").gauge().value());
    assertTrue(serving.metrics().statusLine().startsWith("serving v1 (shadow v2) |"), serving.metrics().statusLine());
  }

  private double predictionsOf(String version, String alias) {
    return meters.get(InferenceMetrics.PREDICTIONS).tags("model", MODEL, "version", version, "alias", alias)
        .counter().count();
  }

  private double refusedFor(String reason) {
    return meters.get(InferenceMetrics.REFUSED).tags("alias", "live", "reason", reason).functionCounter().count();
  }

  @Test
  void aPartitionNeverGoesBackToAnOlderAliasMoveUnlessTheCatchUpTimeoutPasses() throws Exception {
    start(Map.of(InferenceConfig.BATCH_MAX_SIZE, "1", InferenceConfig.CATCH_UP_TIMEOUT_MS, "1000"));
    ModelVersion v1 = version(1, 0);
    ModelVersion v2 = version(2, 1);
    registryIn.pipeInput(v1.key(), codec.encode(v1));
    registryIn.pipeInput(v2.key(), codec.encode(v2));
    moveAlias(1, Instant.ofEpochMilli(1_000));
    moveAlias(2, Instant.ofEpochMilli(2_000));
    sendFeatures("a", 1, 1);
    assertEquals(2, next().getModelVersion());
    // An alias move older than the one this partition used: what an instance whose registry view
    // is behind would serve. Events wait for it to catch up.
    moveAlias(1, Instant.ofEpochMilli(1_500));
    sendFeatures("b", 1, 1);
    assertTrue(predictionsOut.isEmpty(), "b waits while the served alias move is older than the partition's");
    moveAlias(2, Instant.ofEpochMilli(2_500));
    driver.advanceWallClockTime(Duration.ofMillis(10));
    assertEquals(2, next().getModelVersion(), "b scored once the instance caught up");
    // A rollback is a newer alias move: served at once.
    moveAlias(1, Instant.ofEpochMilli(3_000));
    sendFeatures("c", 1, 1);
    assertEquals(1, next().getModelVersion(), "rollback to version 1 by a newer alias move");
    // An older move again, never caught up: served after catch.up.timeout.ms.
    moveAlias(2, Instant.ofEpochMilli(2_800));
    sendFeatures("d", 1, 1);
    assertTrue(predictionsOut.isEmpty(), "d waits");
    driver.advanceWallClockTime(Duration.ofMillis(1_100));
    sendFeatures("e", 1, 1);
    assertEquals(List.of("d", "e"), List.of(next().getId(), next().getId()), "served after the timeout, in order");
  }

  private void moveAlias(long version, Instant movedAt) {
    AliasMove move = new AliasMove(MODEL, "live", version, movedAt, "test", "", 0);
    registryIn.pipeInput(move.key(), codec.encode(move));
  }

  private static String reason(TestRecord<String, byte[]> r) {
    return DeadLetters.header(r.headers(), DeadLetters.REASON);
  }
}
