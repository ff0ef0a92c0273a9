package io.streamlearn.schema.user;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Confluent's wire format for Avro values: the magic byte 0, the writer schema's registry id as a
 * 4-byte big-endian int, then the Avro binary body. What Confluent's {@code KafkaAvroSerializer}
 * writes and every Confluent-compatible client reads.
 */
public final class ConfluentWireFormat {
  /** The first byte of every value. */
  public static final byte MAGIC = 0;
  /** Magic byte plus schema id. */
  public static final int HEADER_LENGTH = 5;

  private ConfluentWireFormat() {}

  /** Encodes {@code record} with its own schema, registered under {@code schemaId} (tests and demo). */
  public static byte[] encode(int schemaId, GenericRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(MAGIC);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(record.getSchema(), AvroBodies.MODEL).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  /** The schema id in a value's header; the caller has checked the header is there. */
  static int schemaId(byte[] value) {
    return ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
  }
}
