package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.train.TrainerConfig;
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
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Automatic rollback on the real evaluation topology ({@link TopologyTestDriver}). */
class RollbackGuardTest {
  private static final String MODEL = "m";
  private static final String INPUT = "streamlearn.labeled";
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<Prediction> predictions = AvroSerde.of(Prediction.class);
  private final AvroSerde<TrainingEvent> events = AvroSerde.of(TrainingEvent.class);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> registryIn;
  private TestInputTopic<String, byte[]> predictionsIn;
  private TestOutputTopic<String, byte[]> registryOut;
  private TestOutputTopic<String, byte[]> alertsOut;
  private int nextId;

  private void start(Map<String, String> extra) throws Exception {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put(CommonKeys.MODEL_NAME, MODEL);
    settings.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("rollback-test").toString());
    settings.put(EvaluationConfig.ROLLBACK_MIN_EVENTS, "200");
    EvaluationConfig config = new EvaluationConfig(settings);
    Properties props = EvaluationService.streamsProperties(config.settings());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver = new TopologyTestDriver(EvaluationTopology.build(config.settings()), props, Instant.EPOCH);
    StringSerializer s = new StringSerializer();
    ByteArraySerializer b = new ByteArraySerializer();
    registryIn = driver.createInputTopic(config.getString(CommonKeys.MODELS_TOPIC), s, b);
    predictionsIn = driver.createInputTopic(config.getString(CommonKeys.PREDICTIONS_TOPIC), s, b);
    registryOut = driver.createOutputTopic(config.getString(CommonKeys.MODELS_TOPIC), new StringDeserializer(),
        new ByteArrayDeserializer());
    alertsOut = driver.createOutputTopic(config.getString(CommonKeys.METRICS_TOPIC), new StringDeserializer(),
        new ByteArrayDeserializer());
    for (long v = 1; v <= 3; v++) {
      publishVersion(v);
    }
  }

  @AfterEach
  void tearDown() {
    if (driver != null) {
      driver.close();
    }
  }

  private void publishVersion(long version) {
    ModelVersion v = ModelVersion.create(MODEL, version, version - 1, Instant.EPOCH, "dense(2,softmax)",
        new Signature(2, Signature.Task.CLASSIFICATION, 2, List.of(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {2, 2}, new float[4]),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[2])),
        new Lineage(List.of(new OffsetRange(INPUT, 0, 0, 1)), 1, 1,
            Map.of(TrainerConfig.HOLDOUT_FRACTION, "0.0"), 1, "test"), Map.of());
    registryIn.pipeInput(v.key(), codec.encode(v), Instant.EPOCH);
  }

  private void move(long version, String by, String reason, long previous) {
    AliasMove m = new AliasMove(MODEL, "live", version, Instant.ofEpochMilli(1_000 + nextId), by, reason, previous);
    registryIn.pipeInput(m.key(), codec.encode(m), Instant.EPOCH);
  }

  /** {@code n} labeled predictions of {@code version} served under live, each right with chance {@code accuracy}. */
  private void serve(long version, int n, double accuracy, java.util.SplittableRandom random) {
    for (int i = 0; i < n; i++) {
      String id = "ev-" + nextId++;
      int label = random.nextInt(2);
      int predicted = random.nextDouble() < accuracy ? label : 1 - label;
      Prediction p = Prediction.newBuilder().setId(id).setEventTime(1_000).setModel(MODEL).setModelVersion(version)
          .setPredictedClass(predicted).setScores(predicted == 1 ? List.of(0.3f, 0.7f) : List.of(0.7f, 0.3f))
          .setLabel(label).setLatencyMicros(1).setAlias("live").setSourceTopic(INPUT).setSourcePartition(0)
          .setSourceOffset(10L + nextId).build();
      predictionsIn.pipeInput(id, predictions.serialize(null, p), 1_000);
    }
  }

  private List<AliasMove> aliasMoves() {
    List<AliasMove> out = new ArrayList<>();
    for (KeyValue<String, byte[]> kv : registryOut.readKeyValuesToList()) {
      if (codec.decode(kv.key, kv.value) instanceof RegistryCodec.AliasEntry a) {
        out.add(a.move());
      }
    }
    return out;
  }

  private List<TrainingEvent> alerts() {
    return alertsOut.readValuesToList().stream().map(v -> events.deserialize(null, v)).toList();
  }

  @Test
  void aBrokenVersionAPersonPromotedIsRolledBackWithTheEvidence() throws Exception {
    start(Map.of());
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    move(1, "trainer", "published by the trainer", 0);
    serve(1, 400, 0.85, random);
    move(2, "alice", "promoted from the CLI", 1);
    serve(2, 300, 0.5, random);
    List<AliasMove> moves = aliasMoves();
    assertEquals(1, moves.size(), "one rollback: " + moves);
    AliasMove back = moves.get(0);
    assertEquals(1, back.version(), "back to the predecessor");
    assertEquals(2, back.previousVersion());
    assertEquals(RollbackGuard.MOVED_BY, back.movedBy());
    assertTrue(back.reason().contains("over 200 leak-free labeled events"), back.reason());
    List<TrainingEvent> alerts = alerts();
    assertEquals(1, alerts.size());
    TrainingEvent alert = alerts.get(0);
    assertEquals(TrainingEventType.ALERT, alert.getType());
    assertEquals(2.0, alert.getMetrics().get("rolledBackVersion"));
    assertEquals(200.0, alert.getMetrics().get("newEvaluated"));
    assertEquals(400.0, alert.getMetrics().get("oldEvaluated"));
    assertTrue(alert.getMetrics().get("llr") >= alert.getMetrics().get("threshold"), alert.toString());
    assertTrue(alert.getMessage().startsWith("m@live: auto-rollback of version 2"), alert.getMessage());
  }

  @Test
  void anEquallyGoodVersionIsKept() throws Exception {
    start(Map.of());
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    move(1, "trainer", "published by the trainer", 0);
    serve(1, 400, 0.85, random);
    move(2, "alice", "promoted from the CLI", 1);
    serve(2, 2_000, 0.85, random);
    assertEquals(List.of(), aliasMoves());
    assertEquals(List.of(), alerts());
  }

  @Test
  void theTrainersMovesAPinnedMoveAndASwitchedOffRuleAreNeverRolledBack() throws Exception {
    start(Map.of());
    java.util.SplittableRandom random = new java.util.SplittableRandom(9);
    move(1, "trainer", "published by the trainer", 0);
    serve(1, 400, 0.85, random);
    move(2, "trainer", "published by the trainer", 1);
    serve(2, 300, 0.5, random);
    move(3, "alice", "Pinned: checked by hand", 2);
    serve(3, 300, 0.5, random);
    assertEquals(List.of(), aliasMoves(), "the trainer's and a pinned move stand");
    driver.close();

    start(Map.of(EvaluationConfig.AUTO_ROLLBACK, "false"));
    move(1, "trainer", "published by the trainer", 0);
    serve(1, 400, 0.85, random);
    move(2, "alice", "promoted from the CLI", 1);
    serve(2, 300, 0.5, random);
    assertEquals(List.of(), aliasMoves(), "--auto-rollback false");
  }

  @Test
  void aVersionTheTrainerPublishesAfterAPromotionSupersedesIt() throws Exception {
    start(Map.of());
    java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    move(1, "trainer", "published by the trainer", 0);
    serve(1, 400, 0.85, random);
    move(2, "alice", "promoted from the CLI", 1);
    serve(2, 150, 0.5, random);
    move(3, "trainer", "published by the trainer", 2);
    serve(2, 150, 0.5, random); // stragglers of version 2 still arriving
    serve(3, 300, 0.5, random);
    assertEquals(List.of(), aliasMoves(), "nothing to roll back once the trainer has moved on");
  }

  @Test
  void noRollbackPointsAtAVersionTheRegistryNoLongerHolds() throws Exception {
    start(Map.of());
    java.util.SplittableRandom random = new java.util.SplittableRandom(13);
    serve(9, 400, 0.85, random); // version 9 served well, then was removed from the registry
    move(2, "alice", "promoted from the CLI", 9);
    serve(2, 300, 0.5, random);
    assertEquals(List.of(), aliasMoves());
    assertEquals(List.of(), alerts());
  }
}
