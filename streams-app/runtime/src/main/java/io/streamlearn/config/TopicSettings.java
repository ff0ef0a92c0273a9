package io.streamlearn.config;

/**
 * The topics of {@link CommonKeys#topics}, read once.
 *
 * @param labeled LabeledEvent records
 * @param features FeatureEvent records
 * @param predictions Prediction records
 * @param models the compacted registry topic
 * @param metrics the training history
 * @param deadLetter records that cannot be processed
 * @param partitions partitions of an event topic this app creates, >= 1
 * @param replicationFactor replication of a topic this app creates; -1 (or 0) for the broker's default
 */
public record TopicSettings(String labeled, String features, String predictions, String models,
                            String metrics, String deadLetter, int partitions, short replicationFactor) {
  /** Validates. */
  public TopicSettings {
    requireName("labeled", labeled);
    requireName("features", features);
    requireName("predictions", predictions);
    requireName("models", models);
    requireName("metrics", metrics);
    requireName("deadLetter", deadLetter);
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, found " + partitions);
    }
    if (replicationFactor < -1) {
      throw new IllegalArgumentException("replicationFactor must be >= -1, found " + replicationFactor);
    }
  }

  private static void requireName(String field, String topic) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException(field + " topic must not be blank, found '" + topic + "'");
    }
  }
}
