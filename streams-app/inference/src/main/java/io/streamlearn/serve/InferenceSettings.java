package io.streamlearn.serve;

import io.streamlearn.app.RawInput;
import io.streamlearn.config.Checks;
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
 * @param batchLingerMs longest wait for a micro-batch to fill, >= 0; 0: no waiting, the batch follows
 *     the load
 * @param catchUpTimeoutMs longest wait for the registry view to catch up after a rebalance, >= 0
 * @param statusIntervalMs how often {@code serve} prints its status line; 0 never
 * @param input what the input topics hold: streamlearn's events, or the users' own records, which
 *     each version featurizes with its own pipeline
 * @param canary the canary alias and the share of keys it scores, {@code null} for none
 */
public record InferenceSettings(KafkaSettings kafka, TopicSettings topics, String model, String alias,
                                String shadowAlias, String shadowTopic, List<String> inputTopics,
                                String applicationId, String processingGuarantee, int streamThreads,
                                long commitIntervalMs, String stateDir, int maxPendingEvents, int batchMaxSize,
                                long batchLingerMs, long catchUpTimeoutMs, long statusIntervalMs,
                                RawInput input, CanarySplit canary) {
  /** Validates and copies the topic list. */
  public InferenceSettings {
    if (kafka == null || topics == null) {
      throw new IllegalArgumentException("kafka and topics must not be null");
    }
    Checks.text("model", model);
    Checks.text("alias", alias);
    if (shadowAlias != null && shadowAlias.isBlank()) {
      throw new IllegalArgumentException("shadowAlias must be null for none or non-blank, found '" + shadowAlias + "'");
    }
    Checks.text("shadowTopic", shadowTopic);
    if (inputTopics == null || inputTopics.isEmpty()) {
      throw new IllegalArgumentException("inputTopics must name at least one topic, found " + inputTopics);
    }
    inputTopics = List.copyOf(inputTopics);
    Checks.text("applicationId", applicationId);
    Checks.text("processingGuarantee", processingGuarantee);
    Checks.text("stateDir", stateDir);
    Checks.atLeast("streamThreads", streamThreads, 1);
    Checks.atLeast("commitIntervalMs", commitIntervalMs, 1);
    Checks.atLeast("maxPendingEvents", maxPendingEvents, 0);
    Checks.atLeast("batchMaxSize", batchMaxSize, 1);
    Checks.atLeast("batchLingerMs", batchLingerMs, 0);
    Checks.atLeast("catchUpTimeoutMs", catchUpTimeoutMs, 0);
    Checks.atLeast("statusIntervalMs", statusIntervalMs, 0);
    java.util.Objects.requireNonNull(input, "input");
    if (canary != null && (canary.alias().equals(alias) || canary.alias().equals(shadowAlias))) {
      throw new IllegalArgumentException("canary alias must differ from the served and the shadow alias, found '"
          + canary.alias() + "'");
    }
  }

  /** The canary alias, or {@code null} when there is no canary. */
  public String canaryAlias() {
    return canary == null ? null : canary.alias();
  }

  /** Settings of a service scoring streamlearn's own events. */
  public InferenceSettings(KafkaSettings kafka, TopicSettings topics, String model, String alias,
                           String shadowAlias, String shadowTopic, List<String> inputTopics,
                           String applicationId, String processingGuarantee, int streamThreads,
                           long commitIntervalMs, String stateDir, int maxPendingEvents, int batchMaxSize,
                           long batchLingerMs, long catchUpTimeoutMs, long statusIntervalMs) {
    this(kafka, topics, model, alias, shadowAlias, shadowTopic, inputTopics, applicationId, processingGuarantee,
        streamThreads, commitIntervalMs, stateDir, maxPendingEvents, batchMaxSize, batchLingerMs, catchUpTimeoutMs,
        statusIntervalMs, RawInput.EVENTS, null);
  }
}
