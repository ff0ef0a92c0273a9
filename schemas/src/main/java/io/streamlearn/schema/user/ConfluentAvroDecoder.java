package io.streamlearn.schema.user;

import io.streamlearn.schema.user.UserRecordException.Reason;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;

/**
 * Decodes values in Confluent's wire format ({@link ConfluentWireFormat}) into generic records,
 * fetching each writer schema by its id from a schema registry once.
 *
 * <p>A value whose id the registry does not know, or whose schema is not an Avro record (or cannot
 * be resolved into the reader schema), is a bad record: {@link UserRecordException}. A schema's
 * verdict is cached per id, as the schema is, so a topic of such values costs one registry call;
 * an unknown id is not cached, since a registry node that lags behind a fresh registration
 * answers 404 for a moment. A registry that is down or refuses the credentials is not the
 * record's fault: its {@link SchemaRegistryException} propagates, nothing is cached, and the next
 * value asks again.
 *
 * <p>With a reader schema, every value is resolved into it; without one, each keeps its writer
 * schema. Thread-safe.
 */
public final class ConfluentAvroDecoder implements UserRecordDecoder {
  private final SchemaRegistryClient registry;
  private final Schema readerSchema;
  private final Map<Integer, Resolved> byId = new ConcurrentHashMap<>();

  /** What an id resolved to: a reader, or the reason its values are refused. */
  private record Resolved(Schema writer, DatumReader<GenericRecord> reader, Reason refusal, String why) {}

  /**
   * A decoder that asks {@code registry} for writer schemas and resolves values into
   * {@code readerSchema} when it is not null.
   */
  public ConfluentAvroDecoder(SchemaRegistryClient registry, Schema readerSchema) {
    this.registry = Objects.requireNonNull(registry, "registry");
    if (readerSchema != null && readerSchema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("readerSchema is an Avro " + readerSchema.getType().getName()
          + " schema; a user's record schema must be a record");
    }
    this.readerSchema = readerSchema;
  }

  /** The schema every value is resolved into, if one was given. */
  public Optional<Schema> readerSchema() {
    return Optional.ofNullable(readerSchema);
  }

  @Override
  public GenericRecord decode(byte[] value) {
    if (value == null || value.length == 0) {
      throw new UserRecordException(Reason.EMPTY_VALUE, value == null ? "null value (a tombstone)" : "empty value");
    }
    if (value[0] != ConfluentWireFormat.MAGIC) {
      throw new UserRecordException(Reason.NOT_CONFLUENT_WIRE_FORMAT, "not Confluent's wire format: expected the "
          + "magic byte 00, got " + AvroBodies.hexPrefix(value, 4) + (value[0] == (byte) 0xC3
          ? " (this looks like Avro single-object encoding: use --input-format avro)" : ""));
    }
    if (value.length < ConfluentWireFormat.HEADER_LENGTH) {
      throw new UserRecordException(Reason.NOT_CONFLUENT_WIRE_FORMAT, "value of " + value.length
          + " bytes is shorter than the 5-byte header of Confluent's wire format");
    }
    int id = ConfluentWireFormat.schemaId(value);
    Resolved resolved = byId.get(id);
    if (resolved == null) {
      resolved = resolve(id);
      if (resolved.refusal() != Reason.UNKNOWN_SCHEMA_ID) {
        byId.putIfAbsent(id, resolved);
      }
    }
    if (resolved.refusal() != null) {
      throw new UserRecordException(resolved.refusal(), resolved.why());
    }
    return AvroBodies.read(resolved.reader(), resolved.writer(), value, ConfluentWireFormat.HEADER_LENGTH, "schema id " + id);
  }

  private Resolved resolve(int id) {
    Schema writer;
    try {
      writer = registry.schemaById(id);
    } catch (SchemaRegistryException e) {
      switch (e.kind()) {
        case NOT_FOUND:
          return new Resolved(null, null, Reason.UNKNOWN_SCHEMA_ID, e.getMessage());
        case UNSUPPORTED_SCHEMA:
          return new Resolved(null, null, Reason.UNSUPPORTED_SCHEMA, e.getMessage());
        default:
          throw e;
      }
    }
    if (writer.getType() != Schema.Type.RECORD) {
      return new Resolved(null, null, Reason.UNSUPPORTED_SCHEMA, "schema id " + id + " is an Avro "
          + writer.getType().getName() + " schema, not a record");
    }
    if (readerSchema != null) {
      String why = AvroBodies.incompatibility(readerSchema, writer);
      if (why != null) {
        return new Resolved(null, null, Reason.INCOMPATIBLE_WRITER_SCHEMA, "the reader schema "
            + readerSchema.getFullName() + " cannot read values of schema id " + id + ": " + why);
      }
    }
    return new Resolved(writer, AvroBodies.reader(writer, readerSchema), null, null);
  }
}
