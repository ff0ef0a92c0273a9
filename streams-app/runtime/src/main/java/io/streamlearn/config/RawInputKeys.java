package io.streamlearn.config;

import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.LabelSpec;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * The keys of the users' own records, shared by {@code train} and {@code serve} and declared here
 * once: {@code --input-format}, {@code --feature-spec}, {@code --label-field}, {@code --id-field},
 * {@code --avro-schema} and {@code --schema-registry-url}. {@code io.streamlearn.app.RawInput}
 * reads them into one typed record and checks how they go together, naming the flag at fault.
 */
public final class RawInputKeys {
  public static final String INPUT_FORMAT = "input.format";
  public static final String FEATURE_SPEC = "feature.spec";
  public static final String LABEL_FIELD = "label.field";
  public static final String ID_FIELD = "id.field";
  public static final String AVRO_SCHEMA = "avro.schema";
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

  private RawInputKeys() {}

  /** Adds the keys to {@code def}. */
  public static ConfigDef define(ConfigDef def) {
    return def
        .define(INPUT_FORMAT, Type.STRING, "event", ValidString.in("event", "json", "avro", "confluent-avro"),
            Importance.HIGH, "What the input topic's values are: event (streamlearn's LabeledEvent/FeatureEvent),"
                + " json (one JSON object per value), avro (the user's Avro records, single-object encoding,"
                + " writer schemas from --avro-schema) or confluent-avro (Confluent's wire format, writer"
                + " schemas from --schema-registry-url). A raw format reads the labeled topic (trainer) or the"
                + " input topics (inference) through a feature pipeline.")
        .define(FEATURE_SPEC, Type.STRING, "", new CommonKeys.ParsedBy(
                "empty, or fields such as 'distance:numeric, origin:category(500)', or @file",
                text -> {
                  if (!text.isBlank()) {
                    spec(text);
                  }
                }), Importance.HIGH,
            "The input fields and their transforms, inline or in a file (@path, or a path): e.g."
                + " 'distance:numeric, origin:category(500), destination:hash(4096),"
                + " date:time(\"yyyy/MM/dd HH:mm\", hour, weekday)'. Needed by the trainer with a raw"
                + " --input-format; inference uses the pipeline of the version it serves.")
        .define(LABEL_FIELD, Type.STRING, "", new CommonKeys.ParsedBy(
                "empty, a field path, path:numeric (regression) or a threshold such as delay>15",
                text -> {
                  if (!text.isBlank()) {
                    LabelSpec.parse(text.trim());
                  }
                }), Importance.HIGH,
            "Where a raw record's label is: a field (classes learned online, stored as the version's class"
                + " names), 'field:numeric' for regression, or 'field>15' style thresholds for a binary label.")
        .define(ID_FIELD, Type.STRING, "", Importance.MEDIUM,
            "The field holding a raw record's id (hold-out choice, prediction ids); empty: the record key.")
        .define(AVRO_SCHEMA, Type.LIST, "", Importance.MEDIUM,
            "--input-format avro: the writer schemas (.avsc files, comma-separated) the records may be"
                + " written with.")
        .define(SCHEMA_REGISTRY_URL, Type.STRING, "", Importance.MEDIUM,
            "--input-format confluent-avro: the schema registry's URL(s), comma-separated; credentials"
                + " through the client properties basic.auth.credentials.source and basic.auth.user.info"
                + " (--kafka-property).");
  }

  /**
   * The spec a {@code --feature-spec} value stands for: {@code @path} or a path to an existing file
   * is read ({@link FeatureSpec#fromArgument}), else the value is the spec itself.
   *
   * @throws IllegalArgumentException when the spec does not parse, naming the file if there is one
   */
  public static FeatureSpec spec(String value) {
    String v = value.strip();
    try {
      return FeatureSpec.fromArgument(v.startsWith("@") ? v.substring(1) : v);
    } catch (java.io.UncheckedIOException e) {
      throw new IllegalArgumentException(e.getMessage() + ": " + e.getCause().getMessage(), e);
    }
  }
}
