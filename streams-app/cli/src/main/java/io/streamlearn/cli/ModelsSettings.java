package io.streamlearn.cli;

import io.streamlearn.config.KafkaSettings;

/**
 * What one {@code streamlearn models ...} invocation runs with, read once from a {@link
 * ModelsConfig}.
 *
 * @param kafka where Kafka is and the pass-through client properties
 * @param modelsTopic the registry topic
 * @param model the model's name
 * @param alias the alias to promote, roll back or resolve
 * @param version the version (show, promote, export); 0 the alias's, else the latest
 * @param from diff: the first version; 0 the alias's previous
 * @param to diff: the second version; 0 the latest
 * @param by who promotes or rolls back
 * @param reason why; empty for the action's own wording
 * @param output export: the file to write
 * @param float16 export: store the weights as float16
 * @param json list, show, diff: print JSON
 */
record ModelsSettings(KafkaSettings kafka, String modelsTopic, String model, String alias, long version,
                      long from, long to, String by, String reason, String output, boolean float16,
                      boolean json) {
  /** Validates. */
  ModelsSettings {
    if (kafka == null || modelsTopic == null || model == null || alias == null || by == null || reason == null
        || output == null) {
      throw new IllegalArgumentException("only numbers and switches may be left out, found a null among "
          + kafka + ", " + modelsTopic + ", " + model + ", " + alias + ", " + by + ", " + reason + ", " + output);
    }
    if (version < 0 || from < 0 || to < 0) {
      throw new IllegalArgumentException("version, from and to must be >= 0, found " + version + ", " + from
          + ", " + to);
    }
  }
}
