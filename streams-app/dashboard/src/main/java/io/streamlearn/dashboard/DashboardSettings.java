package io.streamlearn.dashboard;

import io.streamlearn.config.Checks;
import io.streamlearn.config.KafkaSettings;
import io.streamlearn.config.TopicSettings;
import java.util.Optional;

/**
 * What {@code streamlearn dashboard} runs with, read once from a {@link DashboardConfig}.
 *
 * @param kafka where Kafka is and the pass-through client properties
 * @param topics the shared topic names (partitions and replication of the topics created)
 * @param feedTopics the topics the feed reads and creates when missing
 * @param model the model shown
 * @param readOnly whether alias moves are refused
 * @param httpHost the address the HTTP server binds to
 * @param httpPort its port; 0 any free port
 * @param token the bearer token every write (promote) needs; empty when writes are open
 */
public record DashboardSettings(KafkaSettings kafka, TopicSettings topics, DashboardFeed.Topics feedTopics,
                                String model, boolean readOnly,
                                String httpHost, int httpPort,
                                Optional<String> token) {
  /** Validates. */
  public DashboardSettings {
    if (kafka == null || topics == null || feedTopics == null || token == null) {
      throw new IllegalArgumentException("kafka, topics, feedTopics and token must not be null");
    }
    Checks.text("model", model);
    Checks.text("httpHost", httpHost);
    if (httpPort < 0 || httpPort > 65_535) {
      throw new IllegalArgumentException("httpPort must be in [0, 65535], found " + httpPort);
    }
  }
}
