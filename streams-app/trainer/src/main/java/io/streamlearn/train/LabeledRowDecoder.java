package io.streamlearn.train;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.LabeledEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The trainer's hot path for {@link LabeledEvent} values in the single-object encoding of the
 * current schema: it checks the body's structure, hashes the id bytes for the hold-out choice
 * without making a string, and copies the features straight from the bytes into a preallocated
 * row (a batch row or the hold-out scratch row), with no intermediate array and no boxing.
 *
 * <p>Anything unusual (Avro JSON, another writer schema, several array blocks, a wrong feature
 * count, a non-finite feature, a label outside the signature, a corrupt body) makes {@link #parse}
 * return false; the caller then takes the general {@code InputEventDecoder} path, which gives the
 * exact dead-letter reason. Not thread-safe.
 */
final class LabeledRowDecoder {
  private static final long FINGERPRINT = AvroSerde.fingerprint(LabeledEvent.getClassSchema());
  private static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final int features;
  private final boolean classification;
  private final int classes;
  private byte[] b;
  private int pos;
  private int idStart;
  private int idLength;
  private int featuresStart;
  private float label;

  /**
   * @param classes for classification the class count (labels must be ints in {@code [0, classes)});
   *     0 for regression (labels must be finite floats)
   */
  LabeledRowDecoder(int features, int classes) {
    this.features = features;
    this.classification = classes > 0;
    this.classes = classes;
  }

  /** Checks a value; true when it is a well-formed event the fast path takes. */
  boolean parse(byte[] value) {
    b = value;
    if (value == null || value.length < AvroSerde.HEADER_LENGTH || value[0] != AvroSerde.MAGIC_0
        || value[1] != AvroSerde.MAGIC_1 || (long) LONG_LE.get(value, 2) != FINGERPRINT) {
      return false;
    }
    pos = AvroSerde.HEADER_LENGTH;
    long len = readLong();
    if (len < 0 || len > b.length - pos) {
      return false;
    }
    idStart = pos;
    idLength = (int) len;
    pos += idLength;
    readLong(); // eventTime
    if (readLong() != features) { // one block of exactly the feature count
      return false;
    }
    featuresStart = pos;
    pos += 4 * features;
    if (pos > b.length || readLong() != 0) {
      return false;
    }
    long branch = readLong();
    if (branch == 0 && classification) {
      long c = readLong();
      if (c < 0 || c >= classes) {
        return false;
      }
      label = c;
    } else if (branch == 1 && !classification) {
      if (pos + 4 > b.length) {
        return false;
      }
      label = (float) FLOAT_LE.get(b, pos);
      pos += 4;
      if (!Float.isFinite(label)) {
        return false;
      }
    } else {
      return false;
    }
    return pos == b.length;
  }

  /** Whether the parsed event is held out. */
  boolean heldOut(double fraction) {
    return HoldOut.isHeldOut(b, idStart, idLength, fraction);
  }

  /** Whether the parsed event is trained on at sampling rate {@code rate} ({@link LagSampling}). */
  boolean sampledIn(double rate) {
    return LagSampling.keeps(b, idStart, idLength, rate);
  }

  /** The parsed label as the engine's float target. */
  float label() {
    return label;
  }

  /** Copies the parsed features into {@code dest} at {@code offset}; false if one is not finite. */
  boolean copyFeatures(float[] dest, int offset) {
    ByteBuffer.wrap(b, featuresStart, 4 * features).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
        .get(dest, offset, features);
    // An exponent of all ones (infinity or NaN) carries into the sign bit; the loop vectorizes.
    int carry = 0;
    for (int j = offset, end = offset + features; j < end; j++) {
      carry |= (Float.floatToRawIntBits(dest[j]) & 0x7f800000) + 0x00800000;
    }
    return carry >= 0;
  }

  private long readLong() {
    long raw = 0;
    int shift = 0;
    while (pos < b.length && shift <= 63) {
      int x = b[pos++] & 0xFF;
      raw |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
      shift += 7;
    }
    pos = Integer.MAX_VALUE / 2; // malformed: makes the structure checks fail
    return Long.MIN_VALUE;
  }
}
