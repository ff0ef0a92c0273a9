package io.streamlearn.dashboard;

import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpKeys;
import io.streamlearn.config.Settings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The configuration table of {@code streamlearn dashboard}. */
public final class DashboardConfig extends AppConfig {
  public static final String HTTP_HOST = HttpKeys.HOST;
  public static final String HTTP_PORT = HttpKeys.PORT;
  public static final String READ_ONLY = "read.only";

  /** The table: shared keys plus the dashboard's own. */
  public static final ConfigDef DEF = CommonKeys.define(new ConfigDef())
      .define(CommonKeys.servedMetricsTopic())
      .define(CommonKeys.challengerVerdictsTopic())
      .define(HttpKeys.host())
      .define(HttpKeys.port(8080, "the dashboard, its API and health"))
      .define(READ_ONLY, Type.BOOLEAN, false, Importance.MEDIUM,
          "Hide the promote button's effect: refuse alias moves.")
      .define(HttpKeys.token());

  /** Parses and validates; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
  public DashboardConfig(Map<String, String> merged) {
    super(DEF, merged);
  }

  /** From command-line arguments and the environment. */
  public static DashboardConfig fromArgs(List<String> args, Map<String, String> env) {
    return new DashboardConfig(Settings.collect(DEF, args, env));
  }

  /** The topics the feed reads, as configured. */
  public DashboardFeed.Topics topics() {
    return DashboardFeed.Topics.of(this);
  }

  /** The settings the dashboard runs with, read once. */
  public DashboardSettings settings() {
    return new DashboardSettings(kafkaSettings(), topicSettings(), topics(), getString(CommonKeys.MODEL_NAME),
        getBoolean(READ_ONLY), getString(HTTP_HOST), getInt(HTTP_PORT), HttpKeys.token(this));
  }
}
