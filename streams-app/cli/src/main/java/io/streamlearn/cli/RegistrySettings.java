package io.streamlearn.cli;

import io.streamlearn.config.TopicSettings;
import io.streamlearn.dashboard.DashboardFeed;
import io.streamlearn.registry.http.RegistryServer;

/**
 * What {@code streamlearn registry} runs with, read once from a {@link RegistryConfig}: the
 * registry server's own settings, plus what the dashboard mounted beside it needs.
 *
 * @param server the REST API's settings (client properties, topic, address, token, promotion, retention)
 * @param topics the shared topic names (partitions and replication of the topics created)
 * @param dashboardTopics the topics the dashboard reads and creates when missing
 * @param model the model the dashboard shows
 * @param dashboard whether the dashboard is served at {@code /dashboard/}
 */
record RegistrySettings(RegistryServer.Config server, TopicSettings topics, DashboardFeed.Topics dashboardTopics,
                        String model, boolean dashboard) {
  /** Validates. */
  RegistrySettings {
    if (server == null || topics == null || dashboardTopics == null || model == null || model.isBlank()) {
      throw new IllegalArgumentException("server, topics and a non-blank model are required, found " + server
          + ", " + topics + ", '" + model + "'");
    }
  }
}
