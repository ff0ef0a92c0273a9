package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.EffectiveValues;
import io.streamlearn.learn.LearningRateSchedule;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.schema.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TrainerConfigTest {
  @Test
  void theStreamRulesHaveDefaults() {
    TrainerConfig c = TrainerConfig.fromArgs(List.of(), Map.of());
    assertEquals(0.1, c.getDouble(TrainerConfig.HOLDOUT_FRACTION));
    assertEquals(Topics.TRAINER_STATE, c.getString(TrainerConfig.CHECKPOINT_TOPIC));
    assertEquals(Topics.LABELS, c.getString(TrainerConfig.LABELS_TOPIC));
    assertEquals("adwin", c.getString(TrainerConfig.DRIFT_DETECTOR));
    assertFalse(c.getBoolean(TrainerConfig.DELAYED_LABELS));
  }

  @Test
  void flagsSetTheNewOptionsAndBadValuesNameTheKey() {
    TrainerConfig c = TrainerConfig.fromArgs(List.of("--scaler", "standard", "--delayed-labels", "true",
        "--drift-action", "reset_optimizer", "--gate-margin", "0.05"), Map.of());
    assertEquals("standard", c.getString(TrainerConfig.SCALER));
    assertTrue(c.getBoolean(TrainerConfig.DELAYED_LABELS));
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--holdout-fraction", "0.9"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.HOLDOUT_FRACTION), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--drift-action", "panic"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.DRIFT_ACTION), e.getMessage());
  }

  @Test
  void aTypoInTheLayersFailsWhileParsingNamingTheFlagAndTheToken() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--layers", "dense(12,reluu)"), Map.of()));
    assertTrue(e.getMessage().contains("layers") && e.getMessage().contains("reluu"), e.getMessage());
  }

  @Test
  void aBadOptimizerFailsWhileParsingNamingTheFlagAndTheValue() {
    for (String bad : List.of("adam(lr=oops)", "adamw", "sgd(lr=0.1, nesterov=maybe)", "adam(betta=0.9)",
        "adam(lr=0.1, schedule=linear(3))")) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> TrainerConfig.fromArgs(List.of("--optimizer", bad), Map.of()), bad);
      assertTrue(e.getMessage().contains(TrainerConfig.OPTIMIZER) && e.getMessage().contains(bad), e.getMessage());
    }
    ConfigException e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(
        List.of("--optimizer", "sgd(nesterov=true)", "--momentum", "0"), Map.of()));
    assertTrue(e.getMessage().contains("nesterov requires momentum"), e.getMessage());
  }

  @Test
  void theOptimizerTextReachesSchedulesNesterovAndClipping() {
    OptimizerConfig o = TrainerConfig.fromArgs(
        List.of("--optimizer", "adam(lr=1e-3, schedule=cosine(20000), clipnorm=1.0)"), Map.of()).optimizer();
    assertEquals(OptimizerConfig.adam(1e-3).withClipNorm(1.0).withSchedule(LearningRateSchedule.parse("cosine(20000)")), o);
    o = TrainerConfig.fromArgs(List.of("--optimizer", "sgd(lr=0.01, momentum=0.8, nesterov=true)"), Map.of()).optimizer();
    assertEquals(OptimizerConfig.nesterov(0.01, 0.8), o);
  }

  @Test
  void theOptimizerTextWinsAndTheRateMomentumAndL2FlagsFillWhatItLeavesOut() {
    assertEquals(OptimizerConfig.adam(0.001), TrainerConfig.fromArgs(List.of(), Map.of()).optimizer(),
        "a bare adam with the default --learning-rate, as before");
    assertEquals(OptimizerConfig.adam(0.02).withL2(0.001), TrainerConfig.fromArgs(
        List.of("--optimizer", "adam", "--learning-rate", "0.02", "--l2", "0.001"), Map.of()).optimizer());
    assertEquals(OptimizerConfig.sgd(0.05, 0.9), TrainerConfig.fromArgs(
        List.of("--optimizer", "sgd", "--learning-rate", "0.05"), Map.of()).optimizer(), "sgd takes --momentum's default");
    assertEquals(OptimizerConfig.sgd(0.01, 0), TrainerConfig.fromArgs(List.of("--optimizer",
        "sgd(lr=0.01, momentum=0, nesterov=false)", "--learning-rate", "0.5", "--momentum", "0.7"), Map.of()).optimizer());
    assertEquals(OptimizerConfig.rmsprop(0.003), TrainerConfig.fromArgs(
        List.of("--optimizer", "rmsprop(0.003)", "--learning-rate", "0.5"), Map.of()).optimizer());
  }

  @Test
  void aLossThatDoesNotFitTheOutputLayerFailsWhileParsing() {
    ConfigException e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(
        List.of("--layers", "dense(8,relu) > dense(3,sigmoid)"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.LAYERS) && e.getMessage().contains("softmax"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(
        List.of("--loss", "mse", "--layers", "dense(8,relu) > dense(3,identity)"), Map.of()));
    assertTrue(e.getMessage().contains("one output"), e.getMessage());
    TrainerConfig.fromArgs(List.of("--loss", "mse", "--layers", "dense(8,relu) > dense(1,identity)"), Map.of());
  }

  @Test
  void aModelNameOrAliasTheRegistryRefusesFailsWhileParsing() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--alias", "blue/green"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.ALIAS) && e.getMessage().contains("'/'"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--model-name", "fm:2"), Map.of()));
    assertTrue(e.getMessage().contains("model.name") && e.getMessage().contains("':'"), e.getMessage());
  }

  @Test
  void theEffectiveValuesHoldEveryKeyAndTheKafkaPropertiesWithoutTheirSecrets() {
    TrainerConfig c = TrainerConfig.fromArgs(List.of("--optimizer", "sgd(nesterov=true)", "--batch-size", "32",
        "--kafka-property", "security.protocol=SASL_SSL",
        "--kafka-property", "sasl.jaas.config=PlainLoginModule required password=\"s3cret\";",
        "--kafka-property", "ssl.truststore.password=s3cret", "--kafka-property", "ssl.key.password=s3cret"), Map.of());
    Map<String, String> values = c.effectiveValues();
    for (String key : TrainerConfig.DEF.names()) {
      assertTrue(values.containsKey(key), key + " missing from " + values.keySet());
    }
    assertEquals("32", values.get(TrainerConfig.BATCH_SIZE));
    assertEquals("sgd(nesterov=true)", values.get(TrainerConfig.OPTIMIZER));
    assertEquals("sgd(lr=0.001,momentum=0.9,nesterov=true)", values.get(TrainerConfig.OPTIMIZER_EFFECTIVE));
    assertEquals("SASL_SSL", values.get("kafka.security.protocol"));
    assertEquals(EffectiveValues.HIDDEN, values.get("kafka.sasl.jaas.config"));
    assertEquals(EffectiveValues.HIDDEN, values.get("kafka.ssl.truststore.password"));
    assertEquals(EffectiveValues.HIDDEN, values.get("kafka.ssl.key.password"));
    assertFalse(values.values().stream().anyMatch(v -> v.contains("s3cret")), values.toString());
  }

  @Test
  void aUsersKafkaPropertyWinsOverTheTrainerProducersBuiltInSizeAndLinger() {
    TrainerConfig c = TrainerConfig.fromArgs(List.of("--kafka-property", "max.request.size=2000000",
        "--kafka-property", "linger.ms=20", "--kafka-property", "acks=1"), Map.of());
    Map<String, Object> p = TrainerStart.producerProperties(c.clientProperties(), "tx");
    assertEquals("2000000", p.get("max.request.size"));
    assertEquals("20", p.get("linger.ms"));
    assertEquals("all", p.get("acks"), "exactly-once needs acks=all whatever the user says");
  }

  @Test
  void rawInputFlagsAndVariablesReadIntoOneRecordAndASpecFileIsRead() throws Exception {
    java.nio.file.Path spec = java.nio.file.Files.createTempFile("spec", ".txt");
    java.nio.file.Files.writeString(spec, "distance:numeric,\n origin:category(50)");
    TrainerConfig c = TrainerConfig.fromArgs(List.of("--input-format", "json", "--feature-spec", "@" + spec,
        "--layers", "dense(1,sigmoid)", "--loss", "binary_cross_entropy", "--id-field", "flight.id"),
        Map.of("STREAMLEARN_LABEL_FIELD", "delay>15"));
    TrainerSettings s = TrainerSettings.from(c);
    assertEquals(io.streamlearn.app.InputFormat.JSON, s.input().format());
    assertEquals(List.of("distance", "origin"), s.input().spec().paths());
    assertEquals("delay>15", s.input().label().text());
    assertEquals("flight.id", s.input().idField());
    assertEquals(io.streamlearn.app.RawInput.EVENTS, TrainerSettings.from(TrainerConfig.fromArgs(List.of(), Map.of()))
        .input(), "event input by default");
  }

  @Test
  void rawInputErrorsNameTheFlagAtFault() {
    ConfigException e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of(
        "--input-format", "avro", "--feature-spec", "x:numeric", "--label-field", "y:numeric", "--layers", "dense(1)",
        "--loss", "mse"), Map.of()));
    assertTrue(e.getMessage().contains("avro.schema"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--feature-spec", "x:numeric"),
        Map.of()));
    assertTrue(e.getMessage().contains("feature.spec") && e.getMessage().contains("raw"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--input-format", "json",
        "--feature-spec", "x:numeric", "--label-field", "y>1", "--layers", "dense(1,sigmoid)", "--loss",
        "binary_cross_entropy", "--delayed-labels"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.DELAYED_LABELS), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--input-format", "json",
        "--feature-spec", "x:nonsense", "--label-field", "y>1"), Map.of()));
    assertTrue(e.getMessage().contains("feature.spec"), e.getMessage());
  }

  @Test
  void theGroupKeysHaveDefaultsThatLeaveATrainerOnItsOwn() {
    TrainerSettings.Group g = TrainerSettings.from(TrainerConfig.fromArgs(List.of(), Map.of())).group();
    assertEquals(TrainerSettings.Group.OFF, g);
    assertFalse(g.enabled());
    assertEquals(List.of("", 200, 1_000L, 5_000L, "mean", "streamlearn.trainer-sync"),
        List.of(g.member(), g.syncBatches(), g.syncMs(), g.roundTimeoutMs(), g.combine(), g.topic()));
  }

  @Test
  void groupFlagsReadIntoTheGroupSettings() {
    TrainerSettings.Group g = TrainerSettings.from(TrainerConfig.fromArgs(List.of("--group-member", " eu-west.1_b ",
        "--group-sync-batches", "4", "--group-sync-ms", "250", "--group-round-timeout-ms", "2000",
        "--group-combine", "mean", "--group-sync-topic", "my.sync"), Map.of())).group();
    assertEquals(new TrainerSettings.Group("eu-west.1_b", 4, 250, 2_000, GroupFold.MEAN, "my.sync"), g);
    assertTrue(g.enabled());
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--group-combine", "median"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.GROUP_COMBINE), e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--group-sync-batches", "0"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.GROUP_SYNC_BATCHES), e.getMessage());
  }

  @Test
  void aMemberIdThatIsNotLettersDigitsDotsUnderscoresOrDashesIsRefusedNamingTheKey() {
    for (String bad : List.of("a/b", "a b", "ü", "a:1", "x".repeat(101))) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> TrainerConfig.fromArgs(List.of("--group-member", bad), Map.of()), bad);
      assertTrue(e.getMessage().contains(TrainerConfig.GROUP_MEMBER), e.getMessage());
    }
    assertEquals("x".repeat(100), TrainerSettings.from(TrainerConfig.fromArgs(
        List.of("--group-member", "x".repeat(100)), Map.of())).group().member());
  }

  @Test
  void aGroupMemberRefusesRawInputAndDelayedLabelsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--group-member",
        "a", "--input-format", "json", "--feature-spec", "x:numeric", "--label-field", "y>1", "--layers",
        "dense(1,sigmoid)", "--loss", "binary_cross_entropy"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.GROUP_MEMBER) && e.getMessage().contains("input-format"),
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--group-member", "a",
        "--delayed-labels"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.GROUP_MEMBER) && e.getMessage().contains("delayed labels"),
        e.getMessage());
    // the same options without a group are a trainer's on its own
    assertFalse(TrainerSettings.from(TrainerConfig.fromArgs(List.of("--delayed-labels"), Map.of())).group()
        .enabled());
  }
}
