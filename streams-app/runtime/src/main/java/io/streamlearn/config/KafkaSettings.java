package io.streamlearn.config;

import io.streamlearn.app.KafkaSupport;
import java.util.Map;

/**
 * Where Kafka is and how to reach it, read once: the bootstrap servers and the user's
 * pass-through client properties ({@code --kafka-property}).
 *
 * @param bootstrapServers host:port[,host:port...]
 * @param passThrough client properties as the user gave them (copied)
 */
public record KafkaSettings(String bootstrapServers, Map<String, Object> passThrough) {
  /** Validates and copies. */
  public KafkaSettings {
    Checks.text("bootstrapServers", bootstrapServers);
    if (passThrough == null) {
      throw new IllegalArgumentException("passThrough must not be null");
    }
    passThrough = Map.copyOf(passThrough);
  }

  /** The base of every client's properties: the pass-through ones plus the bootstrap servers. */
  public Map<String, Object> clientProperties() {
    return KafkaSupport.clientProperties(bootstrapServers, passThrough);
  }
}
