package io.streamlearn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamlearn.config.CommonKeys;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class InferenceConfigTest {
  @Test
  void shortFlagsOfServeSetTheirKeys() {
    InferenceConfig c = InferenceConfig.fromArgs(List.of("--model", "fm", "--input-topic", "a,b",
        "--output-topic=out", "--shadow-alias", "challenger"), Map.of());
    assertEquals("fm", c.getString(CommonKeys.MODEL_NAME));
    assertEquals(List.of("a", "b"), c.inputTopics());
    assertEquals("out", c.getString(CommonKeys.PREDICTIONS_TOPIC));
    assertEquals("challenger", c.shadowAlias());
  }

  @Test
  void defaultsScoreTheFeaturesAndLabeledTopicsExactlyOnceWithoutShadow() {
    InferenceConfig c = InferenceConfig.fromArgs(List.of(), Map.of());
    assertEquals(List.of("streamlearn.features", "streamlearn.labeled"), c.inputTopics());
    assertNull(c.shadowAlias());
    assertEquals(StreamsConfig.EXACTLY_ONCE_V2,
        InferenceService.streamsProperties(c).get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertEquals(InferenceService.IDLE_POLL_MS, InferenceService.streamsProperties(c).get(StreamsConfig.POLL_MS_CONFIG),
        "without a linger, an idle stream thread polls for 2 ms");
    assertEquals(5L, InferenceService.streamsProperties(InferenceConfig.fromArgs(List.of("--batch-linger-ms", "5"),
        Map.of())).get(StreamsConfig.POLL_MS_CONFIG), "poll.ms follows batch.linger.ms");
  }

  @Test
  void invalidBatchSizeFailsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> InferenceConfig.fromArgs(List.of("--batch-max-size", "0"), Map.of()));
    assertEquals(true, e.getMessage().contains("batch.max.size"), e.getMessage());
  }

  @Test
  void aUsersKafkaPropertyWinsOverTheServicesBuiltInClientSettings() {
    Properties builtIn = InferenceService.streamsProperties(InferenceConfig.fromArgs(List.of(), Map.of()));
    assertEquals(10_000, builtIn.get("consumer.session.timeout.ms"));
    assertEquals(5, builtIn.get("producer.linger.ms"));
    InferenceConfig c = InferenceConfig.fromArgs(List.of("--kafka-property", "session.timeout.ms=45000",
        "--kafka-property", "producer.linger.ms=50", "--kafka-property", "max.request.size=2000000",
        "--kafka-property", "consumer.max.partition.fetch.bytes=3000000",
        "--kafka-property", "processing.exception.handler.global.enabled=false"), Map.of());
    Properties p = InferenceService.streamsProperties(c);
    assertEquals("45000", p.get("session.timeout.ms"));
    assertEquals("50", p.get("producer.linger.ms"));
    assertEquals("2000000", p.get("max.request.size"));
    assertEquals("3000000", p.get("consumer.max.partition.fetch.bytes"));
    assertEquals("false", p.get("processing.exception.handler.global.enabled"));
    for (String builtInKey : List.of("consumer.session.timeout.ms", "producer.max.request.size",
        "global.consumer.max.partition.fetch.bytes")) {
      assertNull(p.get(builtInKey), builtInKey + " would override the user's setting");
    }
  }

  @Test
  void anAliasTheRegistryRefusesFailsWhileParsing() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> InferenceConfig.fromArgs(List.of("--alias", "live#2"), Map.of()));
    assertEquals(true, e.getMessage().contains("alias") && e.getMessage().contains("'#'"), e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> InferenceConfig.fromArgs(List.of("--shadow-alias", "a@b"), Map.of()));
    assertEquals(true, e.getMessage().contains("shadow.alias"), e.getMessage());
  }

  @Test
  void aRawInputFormatNeedsNoSpecOnServeButItsOwnSchemaSource() {
    InferenceSettings s = InferenceConfig.fromArgs(List.of("--input-format", "json", "--input-topic", "flights",
        "--id-field", "id"), Map.of()).settings();
    assertEquals(io.streamlearn.app.InputFormat.JSON, s.input().format());
    assertNull(s.input().spec(), "each version brings its own pipeline");
    assertEquals("id", s.input().idField());
    ConfigException e = assertThrows(ConfigException.class,
        () -> InferenceConfig.fromArgs(List.of("--input-format", "confluent-avro"), Map.of()));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
    assertEquals(io.streamlearn.app.RawInput.EVENTS, InferenceConfig.fromArgs(List.of(), Map.of()).settings().input());
  }

  @Test
  void aCanaryNeedsItsAliasAndItsShareAndEachMissingOneIsNamed() {
    CanarySplit c = InferenceConfig.fromArgs(List.of("--canary-alias", "canary", "--canary-share", "0.1"), Map.of())
        .settings().canary();
    assertEquals(new CanarySplit("canary", 0.1), c);
    assertNull(InferenceConfig.fromArgs(List.of(), Map.of()).settings().canary(), "off by default");
    ConfigException noAlias = assertThrows(ConfigException.class,
        () -> InferenceConfig.fromArgs(List.of("--canary-share", "0.1"), Map.of()));
    org.junit.jupiter.api.Assertions.assertTrue(noAlias.getMessage().contains("canary.alias")
        && noAlias.getMessage().contains("needs --canary-alias"), noAlias.getMessage());
    ConfigException noShare = assertThrows(ConfigException.class,
        () -> InferenceConfig.fromArgs(List.of("--canary-alias", "canary"), Map.of()));
    org.junit.jupiter.api.Assertions.assertTrue(noShare.getMessage().contains("canary.share")
        && noShare.getMessage().contains("needs --canary-share"), noShare.getMessage());
  }

  @Test
  void aCanaryShareOutsideZeroToOneOrACanaryThatIsTheServedOrShadowAliasIsRefused() {
    for (String share : List.of("1.5", "-0.1", "NaN")) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> InferenceConfig.fromArgs(List.of("--canary-alias", "canary", "--canary-share", share), Map.of()));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("canary.share"), share + ": " + e.getMessage());
    }
    ConfigException served = assertThrows(ConfigException.class,
        () -> InferenceConfig.fromArgs(List.of("--canary-alias", "live", "--canary-share", "0.1"), Map.of()));
    org.junit.jupiter.api.Assertions.assertTrue(served.getMessage().contains("is the served alias"),
        served.getMessage());
    ConfigException shadow = assertThrows(ConfigException.class, () -> InferenceConfig.fromArgs(List.of(
        "--shadow-alias", "challenger", "--canary-alias", "challenger", "--canary-share", "0.1"), Map.of()));
    org.junit.jupiter.api.Assertions.assertTrue(shadow.getMessage().contains("is the shadow alias"),
        shadow.getMessage());
  }
}
