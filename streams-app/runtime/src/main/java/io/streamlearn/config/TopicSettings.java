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
    Checks.text("labeled topic", labeled);
    Checks.text("features topic", features);
    Checks.text("predictions topic", predictions);
    Checks.text("models topic", models);
    Checks.text("metrics topic", metrics);
    Checks.text("deadLetter topic", deadLetter);
    Checks.atLeast("partitions", partitions, 1);
    Checks.atLeast("replicationFactor", replicationFactor, -1);
  }
}
