package io.streamlearn.serve;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.streams.StreamsConfig;

/** The inference service's configuration table. */
public final class InferenceConfig extends AbstractConfig {
  public static final String APPLICATION_ID = "application.id";
  public static final String ALIAS = "alias";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String NUM_STREAM_THREADS = "num.stream.threads";
  public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
  public static final String STATE_DIR = "state.dir";
  public static final String MAX_PENDING_EVENTS = "max.pending.events";

  /** The table: shared keys plus the service's own. */
  public static final ConfigDef DEF = CommonKeys.define(new ConfigDef())
      .define(APPLICATION_ID, Type.STRING, "streamlearn-inference", new CommonKeys.NonBlank(),
          Importance.HIGH, "Kafka Streams application id; instances with the same id share the partitions.")
      .define(ALIAS, Type.STRING, "live", new CommonKeys.NonBlank(), Importance.HIGH,
          "The model alias to serve; the service swaps when it moves.")
      .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
          ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.MEDIUM,
          "Kafka Streams processing guarantee.")
      .define(NUM_STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
          "Stream threads in this instance.")
      .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
          "How often Kafka Streams commits (and, under exactly-once, makes output visible).")
      .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/streamlearn-streams",
          new CommonKeys.NonBlank(), Importance.LOW, "Directory of Kafka Streams local state.")
      .define(MAX_PENDING_EVENTS, Type.INT, 100_000, Range.atLeast(0), Importance.MEDIUM,
          "Events per task held while no model exists yet; beyond it they go to the dead-letter topic.");

  private final Map<String, Object> kafka;

  /** Parses and validates; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
  public InferenceConfig(Map<String, String> merged) {
    super(DEF, Settings.ownKeys(merged), false);
    this.kafka = Settings.kafkaProperties(merged);
  }

  /** From command-line arguments and the environment. */
  public static InferenceConfig fromArgs(List<String> args, Map<String, String> env) {
    return new InferenceConfig(Settings.collect(DEF, args, env));
  }

  /** Pass-through Kafka client properties. */
  public Map<String, Object> kafkaProperties() {
    return kafka;
  }
}
