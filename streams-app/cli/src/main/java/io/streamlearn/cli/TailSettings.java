package io.streamlearn.cli;

import io.streamlearn.config.KafkaSettings;
import io.streamlearn.config.TopicSettings;

/**
 * What {@code streamlearn tail} runs with, read once from a {@link TailConfig}.
 *
 * @param kafka where Kafka is and the pass-through client properties
 * @param topics the topic names (the predictions and metrics topics are tailed)
 * @param fromBeginning start at the beginning of the topic instead of its end
 * @param maxRecords stop after this many records; 0 never
 * @param idleTimeoutMs stop after this long without a record; 0 never
 */
record TailSettings(KafkaSettings kafka, TopicSettings topics, boolean fromBeginning, long maxRecords,
                    long idleTimeoutMs) {
  /** Validates. */
  TailSettings {
    if (kafka == null || topics == null) {
      throw new IllegalArgumentException("kafka and topics must not be null");
    }
    if (maxRecords < 0 || idleTimeoutMs < 0) {
      throw new IllegalArgumentException("maxRecords and idleTimeoutMs must be >= 0, found " + maxRecords
          + " and " + idleTimeoutMs);
    }
  }
}
