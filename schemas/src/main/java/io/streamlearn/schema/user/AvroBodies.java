package io.streamlearn.schema.user;

import io.streamlearn.schema.user.UserRecordException.Reason;
import java.io.IOException;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;

/** The body decoding both wire formats share: strict about truncation and trailing bytes. */
final class AvroBodies {
  /**
   * Generic data with decimals as {@link java.math.BigDecimal}, so a decimal field reads as a
   * Number like any other; every other logical type keeps its underlying value (a
   * timestamp-millis is a long).
   */
  static final GenericData MODEL = modelWithDecimals();

  private AvroBodies() {}

  private static GenericData modelWithDecimals() {
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new Conversions.DecimalConversion());
    return model;
  }

  /** A reader from {@code writer} into {@code reader} (the writer itself when null). */
  static DatumReader<GenericRecord> reader(Schema writer, Schema reader) {
    return new GenericDatumReader<>(writer, reader == null ? writer : reader, MODEL);
  }

  /** Null when {@code reader} can read what {@code writer} wrote, else the reason it cannot. */
  static String incompatibility(Schema reader, Schema writer) {
    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return null;
    }
    return result.getResult().getIncompatibilities().stream()
        .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
        .reduce((a, b) -> a + "; " + b).orElse(result.getDescription());
  }

  /**
   * Reads one record written with {@code writer} from {@code data[offset..]}, which must hold
   * exactly one body.
   *
   * <p>The body is first skipped over with the writer schema, which allocates nothing, and only
   * then read: Avro allocates a string, bytes or array at the length the value claims before
   * reading it, so a 15-byte value claiming a billion-element array would otherwise exhaust the
   * heap instead of failing as truncated. (Arrays and maps of zero-byte items, such as
   * {@code array<null>}, are still allocated at their claimed count.)
   *
   * @param what names the writer schema in messages ("writer schema 7")
   */
  static GenericRecord read(DatumReader<GenericRecord> reader, Schema writer, byte[] data, int offset, String what) {
    int length = data.length - offset;
    boolean end;
    try {
      BinaryDecoder check = DecoderFactory.get().binaryDecoder(data, offset, length, null);
      GenericDatumReader.skip(writer, check);
      end = check.isEnd();
    } catch (IOException | RuntimeException e) {
      // Avro reports a short or corrupt body in many shapes (EOFException, AvroRuntimeException,
      // index and size errors from a corrupt length): all of them mean this value is bad.
      throw corrupt(what, length, e);
    }
    if (!end) {
      throw new UserRecordException(Reason.TRAILING_BYTES, "bytes left after the Avro body for "
          + what + ": the value was written with another schema or is corrupt");
    }
    try {
      return reader.read(null, DecoderFactory.get().binaryDecoder(data, offset, length, null));
    } catch (IOException | RuntimeException e) {
      throw corrupt(what, length, e);
    }
  }

  private static UserRecordException corrupt(String what, int length, Exception e) {
    return new UserRecordException(Reason.CORRUPT_BODY, "corrupt or truncated Avro body for "
        + what + " (" + length + " body bytes): " + e, e);
  }

  /** The first bytes of a value in hex, for messages. */
  static String hexPrefix(byte[] data, int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(max, data.length); i++) {
      sb.append(String.format("%02X", data[i]));
    }
    return data.length > max ? sb + "..." : sb.toString();
  }
}
