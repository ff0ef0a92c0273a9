package io.streamlearn.config;

import io.streamlearn.schema.Topics;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Keys every app shares: where Kafka is, the model, and the topic names. */
public final class CommonKeys {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String MODEL_NAME = "model.name";
  public static final String LABELED_TOPIC = "labeled.topic";
  public static final String FEATURES_TOPIC = "features.topic";
  public static final String PREDICTIONS_TOPIC = "predictions.topic";
  public static final String MODELS_TOPIC = "models.topic";
  public static final String METRICS_TOPIC = "metrics.topic";
  public static final String DEAD_LETTER_TOPIC = "dead.letter.topic";
  public static final String TOPIC_PARTITIONS = "topic.partitions";
  public static final String REPLICATION_FACTOR = "replication.factor";

  private CommonKeys() {}

  /** Adds the shared keys to an app's table. */
  public static ConfigDef define(ConfigDef def) {
    return def
        .define(BOOTSTRAP_SERVERS, Type.STRING, "localhost:9092", new NonBlank(), Importance.HIGH,
            "Kafka bootstrap servers, host:port[,host:port...].")
        .define(MODEL_NAME, Type.STRING, "default", new ModelName(), Importance.HIGH,
            "Name of the model in the registry.")
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

  /** A model name: non-blank, without the registry key delimiters. */
  public static final class ModelName implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString();
      if (s.isBlank() || s.contains(":") || s.contains("@")) {
        throw new ConfigException(name, value, "must be non-blank without ':' or '@'");
      }
    }

    @Override
    public String toString() {
      return "non-blank, no ':' or '@'";
    }
  }
}
