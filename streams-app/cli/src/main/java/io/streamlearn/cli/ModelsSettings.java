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
 * @param to diff: the second version (empty: the latest); export: the file to write, as {@code output}
 * @param by who promotes or rolls back
 * @param reason why; empty for the action's own wording
 * @param output export: the file to write
 * @param float16 export: store the weights as float16
 * @param json list, show, diff: print JSON
 * @param format export: {@code avro} or {@code onnx}
 * @param onnx import: the ONNX file to publish
 */
record ModelsSettings(KafkaSettings kafka, String modelsTopic, String model, String alias, long version,
                      long from, String to, String by, String reason, String output, boolean float16,
                      boolean json, String format, String onnx) {
  /** Validates. */
  ModelsSettings {
    if (kafka == null || modelsTopic == null || model == null || alias == null || by == null || reason == null
        || output == null || to == null || format == null || onnx == null) {
      throw new IllegalArgumentException("only numbers and switches may be left out, found a null among "
          + kafka + ", " + modelsTopic + ", " + model + ", " + alias + ", " + by + ", " + reason + ", " + output);
    }
    if (version < 0 || from < 0) {
      throw new IllegalArgumentException("version and from must be >= 0, found " + version + ", " + from);
    }
  }

  /** diff: the second version, 0 for the latest. */
  long toVersion() {
    if (to.isBlank()) {
      return 0;
    }
    try {
      long v = Long.parseLong(to.strip());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below, naming the flag
    }
    throw new IllegalArgumentException("diff --to takes a version number, found '" + to + "'");
  }

  /** export: the file to write, from --to or --output; empty when neither is given. */
  String exportFile() {
    if (!to.isBlank() && !output.isBlank() && !to.equals(output)) {
      throw new IllegalArgumentException("export takes one file, found --to " + to + " and --output " + output);
    }
    return to.isBlank() ? output : to;
  }
}
