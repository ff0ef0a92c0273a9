package io.streamlearn.eval;

import io.streamlearn.config.Checks;
import io.streamlearn.config.KafkaSettings;
import io.streamlearn.config.TopicSettings;
import java.util.List;
import java.util.Objects;

/**
 * The evaluation service's settings, read once from an {@link EvaluationConfig} and handed to the
 * topology and the service.
 *
 * @param kafka where Kafka is and the pass-through client properties
 * @param topics the shared topic names (the registry topic is {@code topics.models()})
 * @param model the model whose predictions are evaluated; predictions of other models are skipped
 * @param predictionTopics the topics of Prediction records (never empty)
 * @param labelsTopic the topic of LabelEvent records
 * @param evaluationsTopic where Evaluation records go
 * @param servedMetricsTopic where ServedMetrics records go
 * @param applicationId the Kafka Streams application id
 * @param processingGuarantee the Kafka Streams processing guarantee
 * @param commitIntervalMs how often Kafka Streams commits, >= 1
 * @param stateDir the Kafka Streams state directory
 * @param labelWindowMs how long a prediction waits for its label and a label for its predictions, >= 1
 * @param metricsWindowMs the width of the served metrics' windows, >= 1
 * @param metricsRetentionMs how long windows are kept, >= metricsWindowMs
 * @param publishIntervalMs how often changed served metrics are published, >= 1
 * @param challenger the comparison of the shadow alias with the served one (off without a shadow alias)
 * @param rollback when an alias is moved back automatically ({@link RollbackGuard})
 * @param drift the watch of the served inputs against the served version's reference sketch
 */
public record EvaluationSettings(KafkaSettings kafka, TopicSettings topics, String model,
                                 List<String> predictionTopics, String labelsTopic, String evaluationsTopic,
                                 String servedMetricsTopic, String applicationId, String processingGuarantee,
                                 long commitIntervalMs, String stateDir, long labelWindowMs, long metricsWindowMs,
                                 long metricsRetentionMs, long publishIntervalMs, ChallengerSettings challenger,
                                 RollbackRule rollback, DriftSettings drift) {
  /** Validates and copies. */
  public EvaluationSettings {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topics, "topics");
    Checks.text("model", model);
    if (predictionTopics == null || predictionTopics.isEmpty()) {
      throw new IllegalArgumentException("predictionTopics must name at least one topic, found " + predictionTopics);
    }
    predictionTopics = List.copyOf(predictionTopics);
    Checks.text("labelsTopic", labelsTopic);
    Checks.text("evaluationsTopic", evaluationsTopic);
    Checks.text("servedMetricsTopic", servedMetricsTopic);
    Checks.text("applicationId", applicationId);
    Checks.text("processingGuarantee", processingGuarantee);
    Checks.text("stateDir", stateDir);
    Checks.atLeast("commitIntervalMs", commitIntervalMs, 1);
    Checks.atLeast("labelWindowMs", labelWindowMs, 1);
    Checks.atLeast("metricsWindowMs", metricsWindowMs, 1);
    Checks.atLeast("metricsRetentionMs", metricsRetentionMs, metricsWindowMs);
    Checks.atLeast("publishIntervalMs", publishIntervalMs, 1);
    Objects.requireNonNull(challenger, "challenger");
    Objects.requireNonNull(rollback, "rollback");
    if (predictionTopics.contains(labelsTopic)) {
      throw new IllegalArgumentException("labelsTopic '" + labelsTopic + "' is also a prediction topic");
    }
    Objects.requireNonNull(drift, "drift");
    if (drift.enabled()) {
      for (String t : drift.inputTopics()) {
        if (predictionTopics.contains(t) || t.equals(labelsTopic) || t.equals(evaluationsTopic)) {
          throw new IllegalArgumentException("drift input topic '" + t + "' is also a prediction, labels or"
              + " evaluations topic");
        }
      }
    }
  }

  /** The internal topic that carries paired outcomes keyed {@code model:live>challenger} to the challenger test. */
  public String challengerPairsTopic() {
    return applicationId + "-challenger-pairs";
  }

  /** The internal topic that carries evaluations keyed by {@code model:version@alias} to the aggregation. */
  public String byVersionTopic() {
    return applicationId + "-evaluations-by-version";
  }
}
