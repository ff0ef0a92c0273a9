package io.streamlearn.schema;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro record in the single-object encoding, also reading the Avro
 * JSON encoding of the same record.
 *
 * <p>Decoding is strict: a wrong header, an unknown schema fingerprint, a truncated body or
 * trailing bytes all raise {@link SerializationException} naming the record type, so a value of
 * another schema or garbage never turns into a silently wrong record. Older writer schemas of the
 * same record can be registered with {@link #withWriterSchema(Schema)}; their values are resolved
 * into the current reader schema by Avro's schema resolution. The released forms of a record that
 * a later release changed (listed in {@code earlier-writers/index.txt} next to this class, e.g.
 * the 0.1.0 {@code Prediction} without {@code predictedLabel}) are registered by {@link #of}, so
 * a reader of this release reads what the previous release's writers left on a topic.
 *
 * <p>Instances are thread-safe. {@code null} serializes to {@code null} (a tombstone) and back.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  /** The two marker bytes that open every single-object encoded value. */
  public static final byte MAGIC_0 = (byte) 0xC3;
  /** Second marker byte (the single-object format version). */
  public static final byte MAGIC_1 = (byte) 0x01;
  /** Length of the single-object header: two marker bytes and the 8-byte fingerprint. */
  public static final int HEADER_LENGTH = 10;

  private final Class<T> type;
  private final Schema schema;
  private final SpecificData model;
  private final BinaryMessageEncoder<T> encoder;
  private final Map<Long, DatumReader<T>> readers = new ConcurrentHashMap<>();

  private AvroSerde(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
    this.model = SpecificData.getForClass(type);
    this.schema = model.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    readers.put(fingerprint(schema), new SpecificDatumReader<>(schema, schema, model));
    for (Schema earlier : EarlierWriters.of(schema.getFullName())) {
      withWriterSchema(earlier);
    }
  }

  /** A serde for the generated record class {@code type}. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(type);
  }

  /**
   * Also accepts values written with {@code writerSchema}, an earlier (or later) version of this
   * record, resolving them into the current schema. Returns this serde.
   */
  public AvroSerde<T> withWriterSchema(Schema writerSchema) {
    readers.put(fingerprint(writerSchema), new SpecificDatumReader<>(writerSchema, schema, model));
    return this;
  }

  /** The reader (and writer) schema of this serde. */
  public Schema schema() {
    return schema;
  }

  /** The CRC-64-AVRO fingerprint of a schema's parsing canonical form, as in the header. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  @Override
  public byte[] serialize(String topic, T value) {
    if (value == null) {
      return null;
    }
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode " + type.getSimpleName() + " for topic " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length == 0) {
      throw error(topic, "empty value", null);
    }
    return looksLikeJson(data) ? decodeJson(topic, data) : decodeBinary(topic, data);
  }

  private T decodeBinary(String topic, byte[] data) {
    if (data.length < HEADER_LENGTH || data[0] != MAGIC_0 || data[1] != MAGIC_1) {
      throw error(topic, "not Avro single-object encoding (expected C3 01 header, got "
          + hexPrefix(data) + ")", null);
    }
    long fingerprint = ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    DatumReader<T> reader = readers.get(fingerprint);
    if (reader == null) {
      throw error(topic, String.format(
          "unknown writer schema fingerprint %016x (this reader knows %s)", fingerprint,
          readers.keySet().stream().map(f -> String.format("%016x", f)).toList()), null);
    }
    T value;
    try {
      // Skip over the body first (allocating nothing): Avro allocates a string or an array at the
      // length a value claims before reading it, so a 17-byte value claiming a billion floats
      // would otherwise throw OutOfMemoryError instead of failing as truncated.
      BinaryDecoder check = DecoderFactory.get()
          .binaryDecoder(data, HEADER_LENGTH, data.length - HEADER_LENGTH, null);
      GenericDatumReader.skip(((GenericDatumReader<T>) reader).getSchema(), check);
      BinaryDecoder decoder = DecoderFactory.get()
          .binaryDecoder(data, HEADER_LENGTH, data.length - HEADER_LENGTH, null);
      value = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw error(topic, "trailing bytes after the record body", null);
      }
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException
             | NegativeArraySizeException | ClassCastException e) {
      throw error(topic, "corrupt body: " + e, e);
    }
    return value;
  }

  private T decodeJson(String topic, byte[] data) {
    try {
      return SpecificJson.read(schema, model, new ByteArrayInputStream(data));
    } catch (IOException | AvroRuntimeException | ClassCastException e) {
      throw error(topic, "invalid Avro JSON: " + e.getMessage(), e);
    }
  }

  private static boolean looksLikeJson(byte[] data) {
    for (byte b : data) {
      if (b == '{') {
        return true;
      }
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return false;
  }

  private SerializationException error(String topic, String reason, Throwable cause) {
    return new SerializationException(
        "cannot decode " + type.getSimpleName() + (topic == null ? "" : " from topic " + topic)
            + ": " + reason, cause);
  }

  private static String hexPrefix(byte[] data) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, data.length); i++) {
      sb.append(String.format("%02X", data[i]));
    }
    return sb.toString();
  }

  /** Encodes a record as Avro JSON, the text form readers also accept. */
  public String toJson(T value) {
    return SpecificJson.write(schema, model, value);
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    // Nothing to configure: the schema is fixed by the record class.
  }

  @Override
  public void close() {
    // Holds no resources.
  }
}
