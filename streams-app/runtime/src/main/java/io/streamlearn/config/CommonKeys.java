package io.streamlearn.config;

import io.streamlearn.registry.RegistryKey;
import io.streamlearn.schema.Topics;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The keys more than one command shares, each declared here once and composed into the commands'
 * tables by group: {@link #kafka}, {@link #model}, {@link #topics}, {@link #alias} and {@link
 * #batchSize}. A command's own keys stay in its {@code *Config} class.
 */
public final class CommonKeys {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String MODEL_NAME = "model.name";
  public static final String ALIAS = "alias";
  public static final String BATCH_SIZE = "batch.size";
  public static final String LABELED_TOPIC = "labeled.topic";
  public static final String FEATURES_TOPIC = "features.topic";
  public static final String PREDICTIONS_TOPIC = "predictions.topic";
  public static final String MODELS_TOPIC = "models.topic";
  public static final String METRICS_TOPIC = "metrics.topic";
  public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
  /** Delayed labels ({@code LabelEvent}): the trainer joins them with features, the evaluation with predictions. */
  public static final String LABELS_TOPIC = "labels.topic";
  /** A second alias whose predictions go to {@link #SHADOW_TOPIC}: inference scores with it, the evaluation pairs it with live. */
  public static final String SHADOW_ALIAS = "shadow.alias";
  public static final String SHADOW_TOPIC = "shadow.topic";
  /** The evaluation's served figures ({@code ServedMetrics}): it writes them, the dashboard reads them. */
  public static final String SERVED_METRICS_TOPIC = "served.metrics.topic";
  /** The evaluation's challenger verdicts ({@code ChallengerVerdict}): it writes them, the dashboard reads them. */
  public static final String CHALLENGER_VERDICTS_TOPIC = "challenger.verdicts.topic";
  public static final String TOPIC_PARTITIONS = "topic.partitions";
  public static final String REPLICATION_FACTOR = "replication.factor";
  /** The alias a trainer publishes to and a service serves unless told otherwise. */
  public static final String DEFAULT_ALIAS = "live";

  private CommonKeys() {}

  /** The keys of a service on the cluster: Kafka, the model and every topic. */
  public static ConfigDef define(ConfigDef def) {
    return topics(model(kafka(def)));
  }

  /**
   * Where Kafka is. Other client properties pass through {@code --kafka-property} (see {@link
   * Settings}) and reach the app as {@link AppConfig#kafkaProperties()}.
   */
  public static ConfigDef kafka(ConfigDef def) {
    return def.define(BOOTSTRAP_SERVERS, Type.STRING, "localhost:9092", new NonBlank(), Importance.HIGH,
        "Kafka bootstrap servers, host:port[,host:port...].");
  }

  /** The model's name, checked with the registry's own rule. */
  public static ConfigDef model(ConfigDef def) {
    return def.define(MODEL_NAME, Type.STRING, "default", new ModelName(), Importance.HIGH,
        "Name of the model in the registry.");
  }

  /** The topic names, and how this app creates the missing ones. */
  public static ConfigDef topics(ConfigDef def) {
    return def
        .define(LABELED_TOPIC, Type.STRING, Topics.LABELED, new NonBlank(), Importance.MEDIUM,
            "Topic of LabeledEvent records.")
        .define(FEATURES_TOPIC, Type.STRING, Topics.FEATURES, new NonBlank(), Importance.MEDIUM,
            "Topic of FeatureEvent records.")
        .define(PREDICTIONS_TOPIC, Type.STRING, Topics.PREDICTIONS, new NonBlank(), Importance.MEDIUM,
            "Topic the Prediction records are written to.")
        .define(MODELS_TOPIC, Type.STRING, Topics.MODELS, new NonBlank(), Importance.MEDIUM,
            "The compacted model registry topic.")
        .define(METRICS_TOPIC, Type.STRING, Topics.METRICS, new NonBlank(), Importance.MEDIUM,
            "Topic of the training history (TrainingEvent records).")
        .define(DEAD_LETTER_TOPIC, Type.STRING, Topics.DEAD_LETTER, new NonBlank(), Importance.MEDIUM,
            "Topic for records that cannot be processed, with the reason in headers.")
        .define(TOPIC_PARTITIONS, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.LOW,
            "Partitions of event topics this app creates when they are missing.")
        .define(REPLICATION_FACTOR, Type.SHORT, (short) -1, ConfigDef.Range.between(-1, 32767),
            Importance.LOW, "Replication factor of topics this app creates (-1: the broker's default).");
  }

  /** The topic of delayed labels, for a table that reads them (the trainer, the evaluation). */
  public static ConfigDef.ConfigKey labelsTopic() {
    return new ConfigDef().define(LABELS_TOPIC, Type.STRING, Topics.LABELS, new NonBlank(), Importance.MEDIUM,
        "Topic of LabelEvent records (labels that arrive after their example), joined by id.")
        .configKeys().get(LABELS_TOPIC);
  }

  /**
   * The shadow alias (empty: none), checked with the registry's own rule.
   *
   * @param doc what the shadow alias means to this command
   */
  public static ConfigDef.ConfigKey shadowAlias(String doc) {
    return new ConfigDef().define(SHADOW_ALIAS, Type.STRING, "", new OptionalAlias(), Importance.MEDIUM, doc)
        .configKeys().get(SHADOW_ALIAS);
  }

  /** The topic of the shadow alias's predictions, which inference writes and the evaluation reads. */
  public static ConfigDef.ConfigKey shadowTopic() {
    return new ConfigDef().define(SHADOW_TOPIC, Type.STRING, Topics.PREDICTIONS + ".shadow", new NonBlank(),
        Importance.MEDIUM, "Topic of the shadow alias's predictions (same Prediction records).")
        .configKeys().get(SHADOW_TOPIC);
  }

  /** The topic of the evaluation's {@code ServedMetrics}, which the evaluation writes and the dashboard reads. */
  public static ConfigDef.ConfigKey servedMetricsTopic() {
    return new ConfigDef().define(SERVED_METRICS_TOPIC, Type.STRING, Topics.SERVED_METRICS, new NonBlank(),
        Importance.MEDIUM, "Topic of the ServedMetrics records (per version, alias and window), keyed"
            + " model:version@alias.")
        .configKeys().get(SERVED_METRICS_TOPIC);
  }

  /** The topic of the evaluation's {@code ChallengerVerdict}s, which the evaluation writes and the dashboard reads. */
  public static ConfigDef.ConfigKey challengerVerdictsTopic() {
    return new ConfigDef().define(CHALLENGER_VERDICTS_TOPIC, Type.STRING, Topics.CHALLENGER_VERDICTS,
        new NonBlank(), Importance.MEDIUM, "Topic of the ChallengerVerdict records (the paired test of"
            + " shadow.alias against alias), keyed model:liveVersion>challengerVersion.")
        .configKeys().get(CHALLENGER_VERDICTS_TOPIC);
  }

  /**
   * The alias a command works on (default {@value #DEFAULT_ALIAS}), checked with the registry's own
   * rule.
   *
   * @param doc what the alias means to this command
   */
  public static ConfigDef alias(ConfigDef def, String doc) {
    return def.define(ALIAS, Type.STRING, DEFAULT_ALIAS, new Alias(), Importance.HIGH, doc);
  }

  /** Examples per mini-batch, with the command's default. */
  public static ConfigDef batchSize(ConfigDef def, int defaultSize) {
    return def.define(BATCH_SIZE, Type.INT, defaultSize, ConfigDef.Range.between(1, 65_536),
        Importance.MEDIUM, "Examples per mini-batch.");
  }

  /** A string that is not blank. */
  public static final class NonBlank implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value == null || value.toString().isBlank()) {
        throw new ConfigException(name, value, "must not be blank");
      }
    }

    @Override
    public String toString() {
      return "non-blank string";
    }
  }

  /** A model name the registry accepts ({@link RegistryKey#checkModelName}). */
  public static final class ModelName extends ParsedBy {
    /** The registry's rule. */
    public ModelName() {
      super("non-blank, no ':' or '@'", s -> RegistryKey.checkModelName(s));
    }
  }

  /** An alias the registry accepts ({@link RegistryKey#checkAlias}). */
  public static final class Alias extends ParsedBy {
    /** The registry's rule. */
    public Alias() {
      super("non-blank, no ':', '@', '#' or '/'", s -> RegistryKey.checkAlias(s));
    }
  }

  /** Empty for none, or an alias the registry accepts. */
  public static final class OptionalAlias extends ParsedBy {
    /** The registry's rule, or empty. */
    public OptionalAlias() {
      super("empty, or non-blank without ':', '@', '#' or '/'", s -> {
        if (!s.isBlank()) {
          RegistryKey.checkAlias(s.trim());
        }
      });
    }
  }

  /**
   * A string some other part of the system parses: the validator runs that parser, so the rule
   * lives in one place and a bad value fails while the options are read, naming the key and
   * carrying the parser's own message.
   */
  public static class ParsedBy implements ConfigDef.Validator {
    private final String description;
    private final Consumer<String> parser;

    /**
     * @param description what a valid value looks like, for {@code --help}
     * @param parser throws {@link IllegalArgumentException} saying what is wrong with a value
     */
    public ParsedBy(String description, Consumer<String> parser) {
      this.description = description;
      this.parser = parser;
    }

    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString();
      try {
        parser.accept(s);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return description;
    }
  }
}
