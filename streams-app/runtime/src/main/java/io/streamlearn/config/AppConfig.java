package io.streamlearn.config;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * What every command on the cluster parses the same way: its own table, plus the pass-through
 * Kafka client properties ({@code --kafka-property}), which {@link ConfigDef#parse} would reject
 * as unknown keys. Subclasses add their keys and their typed settings.
 */
public abstract class AppConfig extends AbstractConfig {
  private final Map<String, Object> kafka;

  /**
   * Parses and validates.
   *
   * @param def the command's table (which holds {@link CommonKeys#BOOTSTRAP_SERVERS})
   * @param merged the raw settings from {@link Settings#collect}
   * @throws org.apache.kafka.common.config.ConfigException naming the key
   */
  protected AppConfig(ConfigDef def, Map<String, String> merged) {
    super(def, Settings.ownKeys(merged), false);
    this.kafka = Map.copyOf(Settings.kafkaProperties(merged));
  }

  /** Pass-through Kafka client properties (security and the like), as the user gave them. */
  public Map<String, Object> kafkaProperties() {
    return kafka;
  }

  /** The bootstrap servers and the pass-through properties, the base of every client's. */
  public Map<String, Object> clientProperties() {
    return kafkaSettings().clientProperties();
  }

  /** Where Kafka is and the pass-through properties, as a value the app's code receives. */
  public KafkaSettings kafkaSettings() {
    return new KafkaSettings(getString(CommonKeys.BOOTSTRAP_SERVERS), kafka);
  }

  /** The topic names and how missing ones are created; for tables that hold {@link CommonKeys#topics}. */
  public TopicSettings topicSettings() {
    return new TopicSettings(getString(CommonKeys.LABELED_TOPIC), getString(CommonKeys.FEATURES_TOPIC),
        getString(CommonKeys.PREDICTIONS_TOPIC), getString(CommonKeys.MODELS_TOPIC),
        getString(CommonKeys.METRICS_TOPIC), getString(CommonKeys.DEAD_LETTER_TOPIC),
        getInt(CommonKeys.TOPIC_PARTITIONS), getShort(CommonKeys.REPLICATION_FACTOR));
  }
}
