package io.streamlearn.schema.user;

import io.streamlearn.schema.user.UserRecordException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.EncoderFactory;

/**
 * Decodes a user's own records written in Avro's single-object encoding ({@code C3 01}, the
 * writer schema's 8-byte little-endian CRC-64-AVRO fingerprint, the binary body) into generic
 * records, finding each value's writer schema by its fingerprint among the schemas it was given.
 *
 * <p>With a reader schema, every value is resolved into it by Avro's schema resolution (so a
 * topic holding versions 1 and 2 of a record reads as version 2, with defaults for new fields);
 * each writer schema is checked against it when the decoder is built, so an incompatible pair
 * fails at start, naming the file, instead of on the first record. Values written with the reader
 * schema itself also decode. Without one, each value keeps its own writer schema.
 *
 * <p>Each {@code .avsc} file must hold one self-contained record schema: files are parsed apart,
 * because two versions of one record define the same names. Immutable and thread-safe.
 */
public final class SingleObjectDecoder implements UserRecordDecoder {
  /** Length of the single-object header: two marker bytes and the 8-byte fingerprint. */
  public static final int HEADER_LENGTH = 10;

  private final Map<Long, Schema> writers;
  private final Map<Long, DatumReader<GenericRecord>> readers;
  private final Schema readerSchema;

  private SingleObjectDecoder(Map<Long, Schema> writers, Schema readerSchema) {
    this.writers = Collections.unmodifiableMap(writers);
    this.readerSchema = readerSchema;
    Map<Long, DatumReader<GenericRecord>> byFingerprint = new LinkedHashMap<>();
    writers.forEach((fp, writer) -> byFingerprint.put(fp, AvroBodies.reader(writer, readerSchema)));
    this.readers = Map.copyOf(byFingerprint);
  }

  /**
   * A decoder for the writer schemas in {@code writerSchemaFiles} ({@code .avsc}), resolving into
   * the schema in {@code readerSchemaFile} when it is not null.
   *
   * @throws IllegalArgumentException naming the file that cannot be read, is not a record schema,
   *     or cannot be read by the reader schema
   */
  public static SingleObjectDecoder fromFiles(List<Path> writerSchemaFiles, Path readerSchemaFile) {
    Objects.requireNonNull(writerSchemaFiles, "writerSchemaFiles");
    if (writerSchemaFiles.isEmpty()) {
      throw new IllegalArgumentException("writerSchemaFiles is empty: give at least one .avsc file");
    }
    Map<String, Schema> named = new LinkedHashMap<>();
    for (Path file : writerSchemaFiles) {
      named.put(file.toString(), parse(file));
    }
    return build(named, readerSchemaFile == null ? null : parse(readerSchemaFile),
        readerSchemaFile == null ? null : readerSchemaFile.toString());
  }

  /** A decoder for {@code writerSchemas}, resolving into {@code readerSchema} when not null. */
  public static SingleObjectDecoder of(List<Schema> writerSchemas, Schema readerSchema) {
    Objects.requireNonNull(writerSchemas, "writerSchemas");
    if (writerSchemas.isEmpty()) {
      throw new IllegalArgumentException("writerSchemas is empty: give at least one schema");
    }
    Map<String, Schema> named = new LinkedHashMap<>();
    for (Schema schema : writerSchemas) {
      named.put("writer schema " + Objects.requireNonNull(schema, "writer schema").getFullName()
          + " " + hex(fingerprint(schema)), schema);
    }
    return build(named, readerSchema, readerSchema == null ? null : "reader schema " + readerSchema.getFullName());
  }

  private static SingleObjectDecoder build(Map<String, Schema> named, Schema reader, String readerName) {
    if (reader != null) {
      requireRecord(reader, readerName);
    }
    Map<Long, Schema> writers = new LinkedHashMap<>();
    for (Map.Entry<String, Schema> e : named.entrySet()) {
      Schema writer = requireRecord(e.getValue(), e.getKey());
      if (reader != null) {
        String why = AvroBodies.incompatibility(reader, writer);
        if (why != null) {
          throw new IllegalArgumentException("the reader schema " + readerName + " cannot read records written with "
              + e.getKey() + ": " + why);
        }
      }
      writers.putIfAbsent(fingerprint(writer), writer);
    }
    if (reader != null) {
      writers.putIfAbsent(fingerprint(reader), reader);
    }
    return new SingleObjectDecoder(writers, reader);
  }

  private static Schema parse(Path file) {
    try {
      return new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the Avro schema file " + file + ": " + e, e);
    } catch (RuntimeException e) {
      // Avro 1.12 reports some bad schemas (an unknown type name) as NullPointerException.
      throw new IllegalArgumentException("the Avro schema file " + file + " is not a valid schema: "
          + e.getMessage(), e);
    }
  }

  private static Schema requireRecord(Schema schema, String name) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException(name + " is an Avro " + schema.getType().getName()
          + " schema; a user's record schema must be a record");
    }
    return schema;
  }

  /** The CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form, as in the header. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** The writer schemas this decoder reads, by fingerprint. */
  public Map<Long, Schema> writerSchemas() {
    return writers;
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
    if (value.length < 2 || value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
      throw new UserRecordException(Reason.NOT_SINGLE_OBJECT, "not Avro single-object encoding: expected the header "
          + "C3 01, got " + AvroBodies.hexPrefix(value, 4));
    }
    if (value.length < HEADER_LENGTH) {
      throw new UserRecordException(Reason.NOT_SINGLE_OBJECT, "value of " + value.length
          + " bytes is shorter than the 10-byte single-object header");
    }
    long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    DatumReader<GenericRecord> reader = readers.get(fingerprint);
    if (reader == null) {
      throw new UserRecordException(Reason.UNKNOWN_FINGERPRINT, "unknown writer schema fingerprint "
          + hex(fingerprint) + "; the configured schemas are " + known()
          + " (add the writer's .avsc to --avro-schema)");
    }
    return AvroBodies.read(reader, writers.get(fingerprint), value, HEADER_LENGTH, "writer schema " + hex(fingerprint));
  }

  private String known() {
    List<String> names = new ArrayList<>();
    writers.forEach((fp, s) -> names.add(s.getFullName() + " " + hex(fp)));
    return names.toString();
  }

  private static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  /** Encodes {@code record} with its own schema in the single-object encoding (tests and demo). */
  public static byte[] encode(GenericRecord record) {
    Schema schema = record.getSchema();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xC3);
    out.write(0x01);
    long fp = fingerprint(schema);
    for (int i = 0; i < 8; i++) {
      out.write((int) (fp >>> (8 * i)));
    }
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema, AvroBodies.MODEL).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }
}
