package io.streamlearn.app;

import io.streamlearn.config.RawInputKeys;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.JsonRecordDecoder;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.schema.user.SchemaRegistryClient;
import io.streamlearn.schema.user.SchemaRegistrySettings;
import io.streamlearn.schema.user.SingleObjectDecoder;
import io.streamlearn.schema.user.ConfluentAvroDecoder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * How an app reads its input topic, from the keys of {@link RawInputKeys}: streamlearn's own events,
 * or the users' own records (JSON, Avro, Confluent Avro) through a feature pipeline.
 *
 * @param format the values' format
 * @param spec the feature spec (a raw format on the trainer), else null
 * @param label where the label is, or null (inference reads it from the served version's pipeline)
 * @param idField the field holding the record id, or null for the record key
 * @param avroSchemas writer schema files ({@link InputFormat#AVRO})
 * @param schemaRegistryUrl the schema registry ({@link InputFormat#CONFLUENT_AVRO}), or null
 */
public record RawInput(InputFormat format, FeatureSpec spec, LabelSpec label, String idField,
                       List<Path> avroSchemas, String schemaRegistryUrl) {
  /** streamlearn's own events: no pipeline. */
  public static final RawInput EVENTS = new RawInput(InputFormat.EVENT, null, null, null, List.of(), null);

  /** Validates and copies. */
  public RawInput {
    Objects.requireNonNull(format, "format");
    avroSchemas = List.copyOf(avroSchemas);
    if (idField != null && idField.isBlank()) {
      throw new IllegalArgumentException("idField must be null for the record key or non-blank, found '" + idField + "'");
    }
    if (format == InputFormat.AVRO && avroSchemas.isEmpty()) {
      throw new IllegalArgumentException("input format avro needs at least one writer schema file");
    }
    if (format == InputFormat.CONFLUENT_AVRO && (schemaRegistryUrl == null || schemaRegistryUrl.isBlank())) {
      throw new IllegalArgumentException("input format confluent-avro needs a schema registry URL");
    }
  }

  /** JSON records read through {@code spec}, the label at {@code label}. */
  public static RawInput json(FeatureSpec spec, LabelSpec label, String idField) {
    return new RawInput(InputFormat.JSON, spec, label, idField, List.of(), null);
  }

  /**
   * Reads the keys of {@link RawInputKeys} and checks how they go together.
   *
   * @param needsPipeline true for the trainer: a raw format needs {@code --feature-spec} and
   *     {@code --label-field}; inference takes both from the version it serves
   * @throws ConfigException naming the key at fault
   */
  public static RawInput from(AbstractConfig c, boolean needsPipeline) {
    InputFormat format = InputFormat.parse(c.getString(RawInputKeys.INPUT_FORMAT));
    String specValue = c.getString(RawInputKeys.FEATURE_SPEC).trim();
    String labelValue = c.getString(RawInputKeys.LABEL_FIELD).trim();
    String id = c.getString(RawInputKeys.ID_FIELD).trim();
    List<Path> schemas = c.getList(RawInputKeys.AVRO_SCHEMA).stream().map(String::trim).filter(s -> !s.isEmpty())
        .map(Paths::get).toList();
    String url = c.getString(RawInputKeys.SCHEMA_REGISTRY_URL).trim();
    if (!format.raw()) {
      for (String key : List.of(RawInputKeys.FEATURE_SPEC, RawInputKeys.LABEL_FIELD, RawInputKeys.ID_FIELD)) {
        if (!c.getString(key).isBlank()) {
          throw new ConfigException(key, c.getString(key), "applies to a raw --input-format (json, avro,"
              + " confluent-avro); --input-format is event, whose records carry their features and label");
        }
      }
      return EVENTS;
    }
    if (needsPipeline && specValue.isEmpty()) {
      throw new ConfigException(RawInputKeys.FEATURE_SPEC, "", "--input-format " + format.text()
          + " needs --feature-spec naming the input fields and their transforms, e.g."
          + " 'distance:numeric, origin:category(500)'");
    }
    if (needsPipeline && labelValue.isEmpty()) {
      throw new ConfigException(RawInputKeys.LABEL_FIELD, "", "--input-format " + format.text()
          + " needs --label-field: the field to learn (e.g. 'species', 'price:numeric' or 'delay>15')");
    }
    if (format == InputFormat.AVRO && schemas.isEmpty()) {
      throw new ConfigException(RawInputKeys.AVRO_SCHEMA, "", "--input-format avro needs --avro-schema,"
          + " the .avsc files of the records' writer schemas");
    }
    if (format == InputFormat.CONFLUENT_AVRO && url.isEmpty()) {
      throw new ConfigException(RawInputKeys.SCHEMA_REGISTRY_URL, "", "--input-format confluent-avro needs"
          + " --schema-registry-url");
    }
    FeatureSpec spec = specValue.isEmpty() ? null : RawInputKeys.spec(specValue);
    LabelSpec label = labelValue.isEmpty() ? null : LabelSpec.parse(labelValue);
    return new RawInput(format, spec, label, id.isEmpty() ? null : id, schemas, url.isEmpty() ? null : url);
  }

  /** Whether records go through a feature pipeline. */
  public boolean raw() {
    return format.raw();
  }

  /**
   * A decoder of this format reading {@code paths}, which must include the label's and the id's.
   *
   * @param clientProperties the app's client properties (schema registry credentials)
   */
  public RawRecordDecoder decoder(Collection<String> paths, Map<String, Object> clientProperties) {
    Set<String> all = new LinkedHashSet<>(paths);
    if (idField != null) {
      all.add(idField);
    }
    return switch (format) {
      case JSON -> RawRecordDecoder.json(new JsonRecordDecoder(all));
      case AVRO -> RawRecordDecoder.avro(SingleObjectDecoder.fromFiles(avroSchemas, null), all);
      case CONFLUENT_AVRO -> {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(SchemaRegistrySettings.URL, schemaRegistryUrl);
        yield RawRecordDecoder.avro(new ConfluentAvroDecoder(SchemaRegistryClient.fromProperties(props), null), all);
      }
      case EVENT -> throw new IllegalStateException("event input has no raw decoder");
    };
  }
}
