package io.streamlearn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamlearn.config.CommonKeys;
import java.util.List;
import java.util.Map;
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
    assertEquals(2L, InferenceService.streamsProperties(c).get(StreamsConfig.POLL_MS_CONFIG),
        "poll.ms follows batch.linger.ms");
  }

  @Test
  void invalidBatchSizeFailsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> InferenceConfig.fromArgs(List.of("--batch-max-size", "0"), Map.of()));
    assertEquals(true, e.getMessage().contains("batch.max.size"), e.getMessage());
  }
}
