package io.streamlearn.app;

import java.util.Locale;

/** What an input topic's values are ({@code --input-format}). */
public enum InputFormat {
  /** streamlearn's own {@code LabeledEvent}/{@code FeatureEvent}: features already numbers. */
  EVENT,
  /** One JSON object per value. */
  JSON,
  /** The user's Avro records in single-object encoding, writer schemas from {@code .avsc} files. */
  AVRO,
  /** The user's Avro records in Confluent's wire format, writer schemas from a schema registry. */
  CONFLUENT_AVRO;

  /** The format of a flag value: {@code event}, {@code json}, {@code avro} or {@code confluent-avro}. */
  public static InputFormat parse(String text) {
    return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** The flag value. */
  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether records go through a feature pipeline. */
  public boolean raw() {
    return this != EVENT;
  }
}
