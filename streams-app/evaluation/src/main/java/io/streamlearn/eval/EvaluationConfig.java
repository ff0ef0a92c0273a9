package io.streamlearn.eval;

import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpKeys;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.config.Settings;
import io.streamlearn.schema.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The evaluation service's configuration table ({@code streamlearn evaluate}): the shared keys
 * (Kafka, model, topics, the labels topic) plus its own, each declared here once.
 */
public final class EvaluationConfig extends AppConfig {
  public static final String APPLICATION_ID = "application.id";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
  public static final String STATE_DIR = "state.dir";
  public static final String PREDICTION_TOPICS = "prediction.topics";
  public static final String EVALUATIONS_TOPIC = "evaluations.topic";
  public static final String SERVED_METRICS_TOPIC = CommonKeys.SERVED_METRICS_TOPIC;
  public static final String LABEL_WINDOW_MS = "label.window.ms";
  public static final String METRICS_WINDOW_MS = "metrics.window.ms";
  public static final String METRICS_RETENTION_MS = "metrics.retention.ms";
  public static final String PUBLISH_INTERVAL_MS = "publish.interval.ms";
  public static final String CHALLENGER_VERDICTS_TOPIC = CommonKeys.CHALLENGER_VERDICTS_TOPIC;
  public static final String CHALLENGER_ALPHA = "challenger.alpha";
  public static final String CHALLENGER_BETA = "challenger.beta";
  public static final String CHALLENGER_DELTA = "challenger.delta";
  public static final String AUTO_PROMOTE_CHALLENGER = "auto.promote.challenger";
  public static final String AUTO_ROLLBACK = "auto.rollback";
  public static final String ROLLBACK_ALPHA = "auto.rollback.alpha";
  public static final String ROLLBACK_BETA = "auto.rollback.beta";
  public static final String ROLLBACK_MARGIN = "auto.rollback.margin";
  public static final String ROLLBACK_DELTA = "auto.rollback.delta";
  public static final String ROLLBACK_MIN_EVENTS = "auto.rollback.min.events";
  public static final String DRIFT_ENABLED = "drift.enabled";
  public static final String DRIFT_INPUT_TOPICS = "drift.input.topics";
  public static final String DRIFT_WINDOW_EVENTS = "drift.window.events";
  public static final String DRIFT_PSI_THRESHOLD = "drift.psi.threshold";

  /** The table. */
  public static final ConfigDef DEF = CommonKeys.alias(CommonKeys.define(new ConfigDef()),
          "The served alias: a challenger is compared with it and, with auto.promote.challenger, moves it.")
      .define(CommonKeys.labelsTopic())
      .define(CommonKeys.shadowAlias("The challenger: the alias inference scores with on shadow.topic"
          + " (serve --shadow-alias); its predictions are paired with the served alias's on the same events"
          + " and tested (challenger.verdicts.topic). Empty: no comparison."))
      .define(CommonKeys.shadowTopic())
      .define(APPLICATION_ID, Type.STRING, "streamlearn-evaluation", new CommonKeys.NonBlank(), Importance.HIGH,
          "Kafka Streams application id; instances with the same id share the partitions.")
      .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
          ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.MEDIUM,
          "Kafka Streams processing guarantee; under exactly_once_v2 each prediction is evaluated once.")
      .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
          "How often Kafka Streams commits (and, under exactly-once, makes output visible).")
      .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/streamlearn-streams",
          new CommonKeys.NonBlank(), Importance.LOW, "Directory of Kafka Streams local state.")
      .define(PREDICTION_TOPICS, Type.LIST, "", Importance.MEDIUM,
          "Topics of Prediction records to evaluate; empty: predictions.topic. With shadow.alias, shadow.topic"
              + " is added. Each must have as many partitions as labels.topic (joined by id).")
      .define(EVALUATIONS_TOPIC, Type.STRING, Topics.EVALUATIONS, new CommonKeys.NonBlank(), Importance.MEDIUM,
          "Topic of the Evaluation records (a prediction joined with its label), keyed by event id.")
      .define(CommonKeys.servedMetricsTopic())
      .define(LABEL_WINDOW_MS, Type.LONG, 600_000L, Range.atLeast(1), Importance.MEDIUM,
          "A prediction waits this long (stream time past its timestamp) for a LabelEvent, and a label"
              + " as long for its predictions; then it is dropped, counted as unlabeled.")
      .define(METRICS_WINDOW_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
          "Width of the tumbling event-time windows of the served metrics.")
      .define(METRICS_RETENTION_MS, Type.LONG, 86_400_000L, Range.atLeast(1), Importance.LOW,
          "How long windows of served metrics are kept in the store.")
      .define(PUBLISH_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(1), Importance.LOW,
          "How often (wall clock) changed served metrics are written to served.metrics.topic.")
      .define(CommonKeys.challengerVerdictsTopic())
      .define(CHALLENGER_ALPHA, Type.DOUBLE, 0.05, Range.between(1e-6, 0.4999), Importance.MEDIUM,
          "The challenger test's false-promotion rate: how often a challenger of the same quality is"
              + " declared better.")
      .define(CHALLENGER_BETA, Type.DOUBLE, 0.2, Range.between(1e-6, 0.4999), Importance.MEDIUM,
          "The challenger test's miss rate: how often a challenger challenger.delta better is declared"
              + " not better.")
      .define(CHALLENGER_DELTA, Type.DOUBLE, 0.1, Range.between(1e-3, 0.4999), Importance.MEDIUM,
          "The better challenger the test is built to find: right in 0.5 + delta of the events where"
              + " exactly one of the two is right.")
      .define(AUTO_PROMOTE_CHALLENGER, Type.BOOLEAN, false, Importance.MEDIUM,
          "Move the served alias to the challenger's version when the test says the challenger is better"
              + " (movedBy auto-promote, the evidence in the reason), once per (live, challenger) pair.")

      .define(HttpKeys.host())
      .define(HttpKeys.port(HttpKeys.OFF, "/metrics, /health/live and /health/ready"))
      .define(AUTO_ROLLBACK, Type.BOOLEAN, true, Importance.HIGH,
          "Move an alias back to its previous version when the version a person promoted to it serves"
              + " significantly worse (a sequential test; see docs/evaluation.md). Moves by the trainer and"
              + " moves whose reason starts with 'pin' are never rolled back.")
      .define(ROLLBACK_ALPHA, Type.DOUBLE, 0.01, Range.between(1e-9, 0.49), Importance.LOW,
          "The rollback test's tolerated rate of rolling back a version no worse than its predecessor"
              + " (beyond the margin).")
      .define(ROLLBACK_BETA, Type.DOUBLE, 0.05, Range.between(1e-9, 0.49), Importance.LOW,
          "The rollback test's tolerated rate of keeping a version worse than its predecessor by the delta.")
      .define(ROLLBACK_MARGIN, Type.DOUBLE, 0.02, Range.between(0.0, 0.99), Importance.LOW,
          "How much higher an error rate than the predecessor's still counts as no worse (H0).")
      .define(ROLLBACK_DELTA, Type.DOUBLE, 0.10, Range.between(1e-6, 0.99), Importance.LOW,
          "How much higher an error rate than the predecessor's counts as broken (H1); above the margin.")
      .define(ROLLBACK_MIN_EVENTS, Type.LONG, 200L, Range.atLeast(1), Importance.LOW,
          "Leak-free labeled evaluations the rollback test needs of the new version and of its predecessor.")
      .define(DRIFT_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
          "Drift without labels: bin the served inputs with the reference sketch of the version alias names"
              + " and publish a DRIFT training event on metrics.topic naming the features whose PSI reaches"
              + " drift.psi.threshold.")
      .define(DRIFT_INPUT_TOPICS, Type.LIST, "", Importance.LOW,
          "The event topics (LabeledEvent, FeatureEvent) whose inputs are watched for drift; empty: labeled.topic"
              + " and features.topic, what inference reads.")
      .define(DRIFT_WINDOW_EVENTS, Type.INT, 1000, Range.atLeast(10), Importance.MEDIUM,
          "Events per tumbling drift window (per version and input partition): PSI is computed, and at most one"
              + " DRIFT event published, when a window is full.")
      .define(DRIFT_PSI_THRESHOLD, Type.DOUBLE, 0.2, Range.between(1e-6, 100.0), Importance.MEDIUM,
          "The population stability index at or above which a feature has drifted (0.1 to 0.2 moderate, 0.2"
              + " and above a significant shift).");

  /** Parses and validates; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
  public EvaluationConfig(Map<String, String> merged) {
    super(DEF, merged);
    if (getBoolean(AUTO_PROMOTE_CHALLENGER) && getString(CommonKeys.SHADOW_ALIAS).isBlank()) {
      throw new ConfigException(AUTO_PROMOTE_CHALLENGER, true, "needs the challenger: set shadow.alias");
    }
  }

  /** From command-line arguments and the environment. */
  public static EvaluationConfig fromArgs(List<String> args, Map<String, String> env) {
    return new EvaluationConfig(Settings.collect(DEF, args, env));
  }

  /** Where {@code evaluate} listens for HTTP (off unless {@code --http-port} is set). */
  public HttpSettings http() {
    return HttpSettings.of(this);
  }

  /** The settings the service runs with, read once. */
  public EvaluationSettings settings() {
    List<String> explicit = getList(PREDICTION_TOPICS).stream().map(String::trim).filter(s -> !s.isEmpty())
        .toList();
    ChallengerSettings challenger = challengerSettings();
    List<String> predictionTopics = new ArrayList<>(
        explicit.isEmpty() ? List.of(getString(CommonKeys.PREDICTIONS_TOPIC)) : explicit);
    if (challenger.enabled() && !predictionTopics.contains(challenger.shadowTopic())) {
      predictionTopics.add(challenger.shadowTopic()); // the challenger's predictions are evaluated too
    }
    return new EvaluationSettings(kafkaSettings(), topicSettings(), getString(CommonKeys.MODEL_NAME),
        predictionTopics,
        getString(CommonKeys.LABELS_TOPIC), getString(EVALUATIONS_TOPIC), getString(SERVED_METRICS_TOPIC),
        getString(APPLICATION_ID), getString(PROCESSING_GUARANTEE), getLong(COMMIT_INTERVAL_MS),
        getString(STATE_DIR), getLong(LABEL_WINDOW_MS), getLong(METRICS_WINDOW_MS),
        getLong(METRICS_RETENTION_MS), getLong(PUBLISH_INTERVAL_MS), challenger,
        new RollbackRule(getBoolean(AUTO_ROLLBACK), getDouble(ROLLBACK_ALPHA), getDouble(ROLLBACK_BETA),
            getDouble(ROLLBACK_MARGIN), getDouble(ROLLBACK_DELTA), getLong(ROLLBACK_MIN_EVENTS)), driftSettings());
  }

  private DriftSettings driftSettings() {
    List<String> inputs = getList(DRIFT_INPUT_TOPICS).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new DriftSettings(getBoolean(DRIFT_ENABLED), getString(CommonKeys.ALIAS),
        inputs.isEmpty() ? List.of(getString(CommonKeys.LABELED_TOPIC), getString(CommonKeys.FEATURES_TOPIC)) : inputs,
        getInt(DRIFT_WINDOW_EVENTS), getDouble(DRIFT_PSI_THRESHOLD));
  }

  private ChallengerSettings challengerSettings() {
    String shadow = getString(CommonKeys.SHADOW_ALIAS).trim();
    return new ChallengerSettings(getString(CommonKeys.ALIAS), shadow.isEmpty() ? null : shadow,
        getString(CommonKeys.SHADOW_TOPIC), getString(CHALLENGER_VERDICTS_TOPIC),
        new ChallengerSprt(getDouble(CHALLENGER_ALPHA), getDouble(CHALLENGER_BETA), getDouble(CHALLENGER_DELTA)),
        getBoolean(AUTO_PROMOTE_CHALLENGER));
  }
}
