package io.streamlearn.serve;

import io.streamlearn.config.KafkaSettings;
import io.streamlearn.config.TopicSettings;
import java.util.List;

/**
 * The inference service's settings, read once from an {@link InferenceConfig} (which has checked
 * every value) and handed to the topology, the service and the command.
 *
 * @param kafka where Kafka is and the pass-through client properties
 * @param topics the shared topic names
 * @param model the served model's name
 * @param alias the alias served
 * @param shadowAlias a second alias scored too, {@code null} for none
 * @param shadowTopic the topic of the shadow alias's predictions
 * @param inputTopics the topics of events to score (never empty)
 * @param applicationId the Kafka Streams application id
 * @param processingGuarantee the Kafka Streams processing guarantee
 * @param streamThreads stream threads, >= 1
 * @param commitIntervalMs how often Kafka Streams commits, >= 1
 * @param stateDir the Kafka Streams state directory
 * @param maxPendingEvents events per task held while no model exists, >= 0
 * @param batchMaxSize events per forward pass, >= 1
 * @param batchLingerMs longest wait for a micro-batch to fill, >= 1
 * @param catchUpTimeoutMs longest wait for the registry view to catch up after a rebalance, >= 0
 * @param statusIntervalMs how often {@code serve} prints its status line; 0 never
 */
public record InferenceSettings(KafkaSettings kafka, TopicSettings topics, String model, String alias,
                                String shadowAlias, String shadowTopic, List<String> inputTopics,
                                String applicationId, String processingGuarantee, int streamThreads,
                                long commitIntervalMs, String stateDir, int maxPendingEvents, int batchMaxSize,
                                long batchLingerMs, long catchUpTimeoutMs, long statusIntervalMs) {
  /** Validates and copies the topic list. */
  public InferenceSettings {
    if (kafka == null || topics == null) {
      throw new IllegalArgumentException("kafka and topics must not be null");
    }
    requireText("model", model);
    requireText("alias", alias);
    if (shadowAlias != null && shadowAlias.isBlank()) {
      throw new IllegalArgumentException("shadowAlias must be null for none or non-blank, found '" + shadowAlias + "'");
    }
    requireText("shadowTopic", shadowTopic);
    if (inputTopics == null || inputTopics.isEmpty()) {
      throw new IllegalArgumentException("inputTopics must name at least one topic, found " + inputTopics);
    }
    inputTopics = List.copyOf(inputTopics);
    requireText("applicationId", applicationId);
    requireText("processingGuarantee", processingGuarantee);
    requireText("stateDir", stateDir);
    requireAtLeast("streamThreads", streamThreads, 1);
    requireAtLeast("commitIntervalMs", commitIntervalMs, 1);
    requireAtLeast("maxPendingEvents", maxPendingEvents, 0);
    requireAtLeast("batchMaxSize", batchMaxSize, 1);
    requireAtLeast("batchLingerMs", batchLingerMs, 1);
    requireAtLeast("catchUpTimeoutMs", catchUpTimeoutMs, 0);
    requireAtLeast("statusIntervalMs", statusIntervalMs, 0);
  }

  private static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, found '" + value + "'");
    }
  }

  private static void requireAtLeast(String field, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be >= " + min + ", found " + value);
    }
  }
}
