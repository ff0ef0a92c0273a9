package io.streamlearn.cli;

import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.dashboard.DashboardFeed;
import io.streamlearn.registry.PromotionPolicy;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.http.RegistryServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The registry service's configuration table ({@code streamlearn registry}). */
public final class RegistryConfig extends AppConfig {
  public static final String HTTP_HOST = HttpKeys.HOST;
  public static final String HTTP_PORT = HttpKeys.PORT;
  public static final String DASHBOARD = "dashboard";
  /** Set from the environment as {@code STREAMLEARN_REGISTRY_TOKEN}; the dashboard's too. */
  public static final String TOKEN = HttpKeys.TOKEN;
  public static final String PROMOTION_AUTO = "promotion.auto";
  public static final String PROMOTION_METRIC = "promotion.metric";
  public static final String PROMOTION_MARGIN = "promotion.margin";
  public static final String PROMOTION_ALIAS = "promotion.alias";
  public static final String RETENTION_KEEP_LAST = "retention.keep.last";
  public static final String RECORD_FOREIGN_MOVES = "record.foreign.moves";
  public static final String MAX_RECORD_BYTES = "max.record.bytes";

  /** The table: shared keys plus the service's own. */
  public static final ConfigDef DEF = CommonKeys.define(new ConfigDef())
      .define(DASHBOARD, Type.BOOLEAN, true, Importance.MEDIUM,
          "Also serve the web dashboard of model.name at /dashboard/ on the same port; its promote"
              + " needs the token like every write.")
      .define(CommonKeys.servedMetricsTopic())
      .define(CommonKeys.challengerVerdictsTopic())
      .define(HttpKeys.host())
      .define(HttpKeys.port(8090, "the REST API, the dashboard, metrics and health"))
      .define(HttpKeys.token())
      .define(PROMOTION_AUTO, Type.BOOLEAN, false, Importance.MEDIUM,
          "Promote automatically: a newer version becomes the promotion alias when its metric beats the current one by the margin.")
      .define(PROMOTION_METRIC, Type.STRING, "holdoutAccuracy", new CommonKeys.NonBlank(), Importance.MEDIUM,
          "Metric the automatic promotion compares (higher is better unless its name contains 'loss' or 'error').")
      .define(PROMOTION_MARGIN, Type.DOUBLE, 0.0, Range.atLeast(0.0), Importance.MEDIUM,
          "How much better the candidate's metric must be.")
      .define(PROMOTION_ALIAS, Type.STRING, CommonKeys.DEFAULT_ALIAS, new CommonKeys.Alias(), Importance.LOW,
          "Alias the automatic promotion moves.")
      .define(RETENTION_KEEP_LAST, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
          "Keep the newest N versions of each model and every aliased one, delete the rest with tombstones (0: keep all).")
      .define(RECORD_FOREIGN_MOVES, Type.BOOLEAN, true, Importance.LOW,
          "Record alias moves written without a change record (the trainer's) so compaction keeps them in the history.")
      .define(MAX_RECORD_BYTES, Type.INT, RegistryCodec.DEFAULT_MAX_RECORD_BYTES, Range.atLeast(64 * 1024),
          Importance.LOW, "Largest registry record written; larger versions are split in chunks.");

  /** Parses and validates; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
  public RegistryConfig(Map<String, String> merged) {
    super(DEF, merged);
  }

  /** The settings the service runs with, read once. */
  RegistrySettings settings() {
    String metric = getString(PROMOTION_METRIC);
    Optional<PromotionPolicy> policy = getBoolean(PROMOTION_AUTO)
        ? Optional.of(new PromotionPolicy(metric, getDouble(PROMOTION_MARGIN), PromotionPolicy.higherIsBetter(metric),
            getString(PROMOTION_ALIAS)))
        : Optional.empty();
    RegistryServer.Config server = new RegistryServer.Config(clientProperties(), getString(CommonKeys.MODELS_TOPIC),
        getString(HTTP_HOST), getInt(HTTP_PORT), HttpKeys.token(this), policy,
        getInt(RETENTION_KEEP_LAST), getBoolean(RECORD_FOREIGN_MOVES), getInt(MAX_RECORD_BYTES));
    return new RegistrySettings(server, topicSettings(), DashboardFeed.Topics.of(this), getString(CommonKeys.MODEL_NAME),
        getBoolean(DASHBOARD));
  }

  /** From command-line arguments and the environment. */
  public static RegistryConfig fromArgs(List<String> args, Map<String, String> env) {
    return new RegistryConfig(Settings.collect(DEF, args, env));
  }
}
