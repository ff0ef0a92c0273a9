package io.streamlearn.cli;

import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The configuration table of {@code streamlearn tail}. */
public final class TailConfig extends AppConfig {
  public static final String FROM_BEGINNING = "from.beginning";
  public static final String MAX_RECORDS = "max.records";
  public static final String IDLE_TIMEOUT_MS = "idle.timeout.ms";

  /** The table: shared keys plus tail's own. */
  public static final ConfigDef DEF = CommonKeys.define(new ConfigDef())
      .define(FROM_BEGINNING, Type.BOOLEAN, false, Importance.MEDIUM,
          "Start at the beginning of the topic instead of its end.")
      .define(MAX_RECORDS, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
          "Stop after this many records; 0: run until Ctrl-C.")
      .define(IDLE_TIMEOUT_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
          "Stop after this many milliseconds without a record; 0: never.");

  /** Parses and validates; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
  public TailConfig(Map<String, String> merged) {
    super(DEF, merged);
  }

  /** The settings the command runs with, read once. */
  TailSettings settings() {
    return new TailSettings(kafkaSettings(), topicSettings(), getBoolean(FROM_BEGINNING), getLong(MAX_RECORDS),
        getLong(IDLE_TIMEOUT_MS));
  }

  /** From command-line arguments and the environment. */
  public static TailConfig fromArgs(List<String> args, Map<String, String> env) {
    return new TailConfig(Settings.collect(DEF, args, env));
  }
}
