package io.streamlearn.serve;

import static io.streamlearn.serve.InferenceTopologyTest.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.Prediction;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real inference topology with a canary alias ({@code canary.alias}, {@code canary.share}) on {@link TopologyTestDriver}. */
class CanaryTopologyTest {
  private static final String MODEL = "m";
  private static final String CANARY = "canary";
  private static final double SHARE = 0.1;
  private static final CanarySplit SPLIT = new CanarySplit(CANARY, SHARE);
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<FeatureEvent> features = AvroSerde.of(FeatureEvent.class);
  private final AvroSerde<Prediction> predictions = AvroSerde.of(Prediction.class);
  private final List<String> refusals = new ArrayList<>();
  private Serving serving;
  private MeterRegistry meters;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> registryIn;
  private TestInputTopic<String, byte[]> featuresIn;
  private TestOutputTopic<String, byte[]> predictionsOut;
  private TestOutputTopic<String, byte[]> shadowOut;

  /** Starts the driver on the real topology with a 10% canary and the given micro-batch size. */
  private void start(int batchMax) throws Exception {
    start(batchMax, Map.of());
  }

  private void start(int batchMax, Map<String, String> extra) throws Exception {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put(CommonKeys.MODEL_NAME, MODEL);
    settings.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("canary-test").toString());
    settings.put(InferenceConfig.BATCH_MAX_SIZE, String.valueOf(batchMax));
    settings.put(InferenceConfig.CANARY_ALIAS, CANARY);
    settings.put(InferenceConfig.CANARY_SHARE, String.valueOf(SHARE));
    InferenceConfig config = new InferenceConfig(settings);
    Properties props = InferenceService.streamsProperties(config);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    meters = new SimpleMeterRegistry();
    serving = Serving.of(config, new ServedModel(), (key, value, reason, topic, partition, offset) ->
        refusals.add(key + " " + reason), meters);
    driver = new TopologyTestDriver(InferenceTopology.build(config, serving), props);
    registryIn = driver.createInputTopic(config.getString(CommonKeys.MODELS_TOPIC),
        new StringSerializer(), new ByteArraySerializer());
    featuresIn = driver.createInputTopic(config.getString(CommonKeys.FEATURES_TOPIC),
        new StringSerializer(), new ByteArraySerializer());
    predictionsOut = driver.createOutputTopic(config.getString(CommonKeys.PREDICTIONS_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
    shadowOut = driver.createOutputTopic(config.getString(InferenceConfig.SHADOW_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void tearDown() {
    if (driver != null) {
      driver.close();
    }
  }

  /** Publishes a version and moves {@code alias} to it. */
  private void publish(ModelVersion v, String alias) {
    registryIn.pipeInput(v.key(), codec.encode(v));
    AliasMove move = new AliasMove(MODEL, alias, v.version(), Instant.now(), "test", "", 0);
    registryIn.pipeInput(move.key(), codec.encode(move));
  }

  private void send(int from, int count) {
    for (int i = from; i < from + count; i++) {
      String id = "ev-" + i;
      featuresIn.pipeInput(id, features.serialize(null,
          new FeatureEvent(id, Instant.ofEpochMilli(1000), FloatLists.boxed(new float[] {1, 2}))));
    }
  }

  private List<Prediction> readAll() {
    List<Prediction> out = new ArrayList<>();
    while (!predictionsOut.isEmpty()) {
      out.add(predictions.deserialize(null, predictionsOut.readValue()));
    }
    return out;
  }

  private double predictionsOf(String version, String alias) {
    return meters.get(InferenceMetrics.PREDICTIONS).tags("model", MODEL, "version", version, "alias", alias)
        .counter().count();
  }

  @Test
  void theCanaryScoresExactlyTheKeysItsShareRoutesAndEveryEventGetsOnePredictionInOrder() throws Exception {
    start(8); // micro-batches mixing both aliases' rows
    publish(version(1, 0), "live");
    publish(version(2, 2), CANARY);
    send(0, 10_000);
    List<Prediction> all = readAll();

    assertEquals(10_000, all.size(), "one prediction per event");
    Set<String> ids = new HashSet<>();
    int canaried = 0;
    for (int i = 0; i < all.size(); i++) {
      Prediction p = all.get(i);
      assertEquals("ev-" + i, p.getId(), "predictions leave in input order");
      assertTrue(ids.add(p.getId()), "a second prediction of " + p.getId());
      boolean toCanary = SPLIT.routes(p.getId());
      assertEquals(toCanary ? CANARY : "live", p.getAlias(), p.getId());
      assertEquals(toCanary ? 2 : 1, p.getModelVersion(), p.getId() + " named by the version that scored it");
      assertEquals(toCanary ? 2 : 0, p.getPredictedClass(), p.getId() + " scored by that version's weights");
      canaried += toCanary ? 1 : 0;
    }
    // binomial(10,000, 0.1): sd 30; 4 sd either side
    assertTrue(Math.abs(canaried - 1_000) <= 120, "canary predictions of 10,000 at share 0.1: " + canaried);
    assertEquals(canaried, predictionsOf("2", CANARY), "streamlearn_predictions_total{alias=canary}");
    assertEquals(10_000 - canaried, predictionsOf("1", "live"));
    assertEquals(canaried, meters.get(InferenceMetrics.LATENCY).tags("alias", CANARY).timer().count(),
        "the canary's own latency histogram");
    assertEquals(canaried, serving.metrics().getCanaryPredictionsTotal());
    assertTrue(serving.metrics().statusLine().startsWith("serving v1 (canary v2: " + canaried + " predictions) |"),
        serving.metrics().statusLine());
  }

  @Test
  void beforeTheCanaryHasAVersionItsShareIsScoredByTheServedAliasAndSaysSo() throws Exception {
    start(1);
    publish(version(1, 0), "live");
    send(0, 500);
    List<Prediction> before = readAll();
    assertEquals(500, before.size(), "no event of the canary's share dropped or held");
    for (Prediction p : before) {
      assertEquals("live", p.getAlias(), p.getId());
      assertEquals(1, p.getModelVersion(), p.getId());
    }
    assertTrue(serving.metrics().statusLine().contains("(canary no model yet, its share served by live)"),
        serving.metrics().statusLine());
    publish(version(2, 2), CANARY);
    send(500, 500);
    List<Prediction> after = readAll();
    assertEquals(500, after.size());
    long canaried = after.stream().filter(p -> CANARY.equals(p.getAlias())).count();
    assertEquals(after.stream().filter(p -> SPLIT.routes(p.getId())).count(), canaried,
        "once the canary names a version it scores its share");
    assertTrue(canaried > 0);
  }

  @Test
  void theCanaryFollowsItsAliasMovesAndRefusesABrokenVersionWhileServing() throws Exception {
    start(1);
    publish(version(1, 0), "live");
    publish(version(2, 2), CANARY);
    send(0, 300);
    readAll();
    publish(version(3, 1), CANARY);
    send(300, 300);
    List<Prediction> moved = readAll();
    assertTrue(moved.stream().filter(p -> CANARY.equals(p.getAlias())).allMatch(p -> p.getModelVersion() == 3
        && p.getPredictedClass() == 1), "after the move the canary's share is scored by version 3");
    assertEquals(2, serving.canary().swaps());
    assertEquals(1, serving.primary().swaps(), "the served alias did not move");

    ModelVersion good = version(4, 0);
    publish(new ModelVersion(MODEL, 4, 3, Instant.EPOCH, good.architecture(), good.signature(),
        good.preprocessing(), version(4, 2).tensors(), good.checksum(), good.lineage(), Map.of()), CANARY);
    assertEquals(1, serving.canary().refused(ServedModel.Refusal.DECODE), "checksum mismatch refused");
    assertEquals(List.of("m:4"), refusals.stream().map(r -> r.split(" ")[0]).toList());
    send(600, 300);
    List<Prediction> after = readAll();
    assertEquals(300, after.size());
    assertTrue(after.stream().filter(p -> CANARY.equals(p.getAlias())).allMatch(p -> p.getModelVersion() == 3),
        "the canary keeps serving version 3");
    assertEquals(3.0, meters.get(InferenceMetrics.SERVED_VERSION).tags("alias", CANARY).gauge().value());
  }

  @Test
  void aShadowAliasStillScoresEveryEventWhileTheCanaryScoresItsShare() throws Exception {
    start(8, Map.of(InferenceConfig.SHADOW_ALIAS, "challenger"));
    publish(version(1, 0), "live");
    publish(version(2, 2), CANARY);
    publish(version(3, 1), "challenger");
    send(0, 800);
    List<Prediction> served = readAll();
    assertEquals(800, served.size());
    for (Prediction p : served) {
      assertEquals(SPLIT.routes(p.getId()) ? 2 : 0, p.getPredictedClass(), p.getId());
    }
    List<Prediction> shadow = new ArrayList<>();
    while (!shadowOut.isEmpty()) {
      shadow.add(predictions.deserialize(null, shadowOut.readValue()));
    }
    assertEquals(800, shadow.size(), "a shadow prediction for every event, canary's share included");
    for (int i = 0; i < shadow.size(); i++) {
      Prediction p = shadow.get(i);
      assertEquals("ev-" + i, p.getId());
      assertEquals("challenger", p.getAlias());
      assertEquals(3, p.getModelVersion());
      assertEquals(1, p.getPredictedClass(), p.getId() + " scored by the shadow's weights");
    }
  }
}
