package io.streamlearn.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes protocol buffers wire format: varints, length-delimited fields and fixed 32-bit floats,
 * which is all the subset of {@code onnx.proto} that {@link OnnxCodec} writes needs. Hand-written
 * so the project carries no protoc step and no protobuf runtime for a dozen messages.
 */
final class ProtoWriter {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** An int64/int32/enum field (negative values take ten bytes, as protobuf writes them). */
  ProtoWriter varint(int field, long value) {
    tag(field, VARINT);
    rawVarint(value);
    return this;
  }

  /** A float field. */
  ProtoWriter float32(int field, float value) {
    tag(field, FIXED32);
    int bits = Float.floatToRawIntBits(value);
    for (int k = 0; k < 4; k++) {
      out.write(bits >>> (8 * k));
    }
    return this;
  }

  /** A string field, UTF-8. */
  ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A bytes field. */
  ProtoWriter bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    rawVarint(value.length);
    out.writeBytes(value);
    return this;
  }

  /** An embedded message field. */
  ProtoWriter message(int field, ProtoWriter message) {
    return bytes(field, message.toByteArray());
  }

  /** A packed repeated int64 field (nothing for an empty array, as protobuf omits it). */
  ProtoWriter packedVarints(int field, long[] values) {
    if (values.length == 0) {
      return this;
    }
    ProtoWriter body = new ProtoWriter();
    for (long v : values) {
      body.rawVarint(v);
    }
    return bytes(field, body.toByteArray());
  }

  /** A packed repeated float field. */
  ProtoWriter packedFloats(int field, float[] values) {
    if (values.length == 0) {
      return this;
    }
    byte[] body = new byte[values.length * 4];
    for (int i = 0; i < values.length; i++) {
      int bits = Float.floatToRawIntBits(values[i]);
      for (int k = 0; k < 4; k++) {
        body[4 * i + k] = (byte) (bits >>> (8 * k));
      }
    }
    return bytes(field, body);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int field, int wireType) {
    rawVarint(((long) field << 3) | wireType);
  }

  private void rawVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
