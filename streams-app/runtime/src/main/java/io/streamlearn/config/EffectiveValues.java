package io.streamlearn.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * A configuration as text, every key with the value in effect (defaults included), fit to be
 * recorded where others read it, such as a version's lineage: secrets never appear.
 */
public final class EffectiveValues {
  /** What a secret's value is recorded as. */
  public static final String HIDDEN = "[hidden]";
  private static final List<ConfigDef> CLIENT_DEFS =
      List.of(ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef());
  // Names of secrets the clients' tables do not declare (a plugin's, or one under a Streams prefix).
  private static final List<String> SECRET_WORDS = List.of("password", "secret", "jaas", "token", "credential");

  private EffectiveValues() {}

  /**
   * The config's own keys, then its pass-through Kafka properties under {@link Settings#KAFKA_PREFIX},
   * sorted by key.
   */
  public static Map<String, String> of(AppConfig config) {
    Map<String, String> out = new TreeMap<>();
    config.values().forEach((key, value) -> out.put(key, text(value)));
    config.kafkaProperties().forEach((key, value) ->
        out.put(Settings.KAFKA_PREFIX + key, isSecret(key) ? HIDDEN : text(value)));
    return out;
  }

  /** Whether a Kafka client property holds a secret (a password type, or a name that says so). */
  public static boolean isSecret(String property) {
    String name = property.toLowerCase(Locale.ROOT);
    for (String word : SECRET_WORDS) {
      if (name.contains(word)) {
        return true;
      }
    }
    for (ConfigDef def : CLIENT_DEFS) {
      for (Map.Entry<String, ConfigDef.ConfigKey> e : def.configKeys().entrySet()) {
        if (e.getValue().type == ConfigDef.Type.PASSWORD && name.endsWith(e.getKey())) {
          return true;
        }
      }
    }
    return false;
  }

  private static String text(Object value) {
    if (value instanceof Password) {
      return HIDDEN;
    }
    if (value instanceof List<?> list) {
      return String.join(",", list.stream().map(String::valueOf).toList());
    }
    return String.valueOf(value);
  }
}
