package io.streamlearn.onnx;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads protocol buffers wire format field by field: {@link #next()} moves to the next field,
 * then one of the value readers (or {@link #skip()}) consumes it. Unknown fields are skipped by
 * the caller, as protobuf does, so files from newer writers still read.
 */
final class ProtoReader {
  private final byte[] buf;
  private int pos;
  private final int end;
  private int field;
  private int wireType;

  ProtoReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  private ProtoReader(byte[] buf, int start, int end) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** Moves to the next field; false at the end of the message. */
  boolean next() {
    if (pos >= end) {
      return false;
    }
    long tag = rawVarint();
    field = (int) (tag >>> 3);
    wireType = (int) (tag & 7);
    if (field < 1) {
      throw malformed("field number " + field);
    }
    return true;
  }

  int field() {
    return field;
  }

  int wireType() {
    return wireType;
  }

  long varint() {
    expect(ProtoWriter.VARINT);
    return rawVarint();
  }

  float float32() {
    expect(ProtoWriter.FIXED32);
    return Float.intBitsToFloat(rawFixed32());
  }

  byte[] bytes() {
    expect(ProtoWriter.LENGTH_DELIMITED);
    int len = length();
    byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
    pos += len;
    return b;
  }

  String string() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }

  /** The embedded message of this field, to read with its own reader. */
  ProtoReader message() {
    expect(ProtoWriter.LENGTH_DELIMITED);
    int len = length();
    ProtoReader sub = new ProtoReader(buf, pos, pos + len);
    pos += len;
    return sub;
  }

  /** A repeated int64 field, packed or not: the values this occurrence holds. */
  long[] varints() {
    if (wireType == ProtoWriter.VARINT) {
      return new long[] {rawVarint()};
    }
    expect(ProtoWriter.LENGTH_DELIMITED);
    int len = length();
    int stop = pos + len;
    long[] values = new long[len];
    int n = 0;
    while (pos < stop) {
      values[n++] = rawVarint();
    }
    if (pos != stop) {
      throw malformed("packed varints overrun their length");
    }
    return Arrays.copyOf(values, n);
  }

  /** A repeated float field, packed or not: the values this occurrence holds. */
  float[] floats() {
    if (wireType == ProtoWriter.FIXED32) {
      return new float[] {Float.intBitsToFloat(rawFixed32())};
    }
    expect(ProtoWriter.LENGTH_DELIMITED);
    int len = length();
    if (len % 4 != 0) {
      throw malformed("packed floats of " + len + " bytes");
    }
    float[] values = new float[len / 4];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat(rawFixed32());
    }
    return values;
  }

  /** A repeated double field, packed or not. */
  double[] doubles() {
    if (wireType == ProtoWriter.FIXED64) {
      return new double[] {Double.longBitsToDouble(rawFixed64())};
    }
    expect(ProtoWriter.LENGTH_DELIMITED);
    int len = length();
    if (len % 8 != 0) {
      throw malformed("packed doubles of " + len + " bytes");
    }
    double[] values = new double[len / 8];
    for (int i = 0; i < values.length; i++) {
      values[i] = Double.longBitsToDouble(rawFixed64());
    }
    return values;
  }

  /** Skips the value of this field. */
  void skip() {
    switch (wireType) {
      case ProtoWriter.VARINT -> rawVarint();
      case ProtoWriter.FIXED64 -> advance(8);
      case ProtoWriter.LENGTH_DELIMITED -> advance(length());
      case ProtoWriter.FIXED32 -> advance(4);
      default -> throw malformed("wire type " + wireType + " of field " + field);
    }
  }

  private void expect(int type) {
    if (wireType != type) {
      throw malformed("field " + field + " has wire type " + wireType + ", expected " + type);
    }
  }

  private int length() {
    long len = rawVarint();
    if (len < 0 || len > end - pos) {
      throw malformed("length " + len + " of field " + field + " runs past the end");
    }
    return (int) len;
  }

  private void advance(int n) {
    if (n > end - pos) {
      throw malformed("field " + field + " runs past the end");
    }
    pos += n;
  }

  private long rawVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw malformed("truncated varint");
      }
      int b = buf[pos++] & 0xFF;
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw malformed("varint longer than 10 bytes");
  }

  private int rawFixed32() {
    advance(4);
    int p = pos - 4;
    return (buf[p] & 0xFF) | (buf[p + 1] & 0xFF) << 8 | (buf[p + 2] & 0xFF) << 16 | (buf[p + 3] & 0xFF) << 24;
  }

  private long rawFixed64() {
    long lo = rawFixed32() & 0xFFFFFFFFL;
    long hi = rawFixed32() & 0xFFFFFFFFL;
    return lo | hi << 32;
  }

  private IllegalArgumentException malformed(String what) {
    return new IllegalArgumentException("not a valid ONNX (protobuf) file: " + what + " at byte " + pos);
  }
}
