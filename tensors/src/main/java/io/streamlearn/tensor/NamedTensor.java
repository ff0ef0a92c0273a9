package io.streamlearn.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor, row-major, held as floats: a layer's weights or biases, or an optimizer's slot.
 * The learning engine produces and consumes it, the registry stores it in model versions, the
 * trainer in its checkpoints; all three use this one type. In an artifact its data are
 * little-endian bytes of its {@link DType}: float32 (the default), or float16 for a compact
 * inference export, whose values are then exactly representable in float16 and widen to float32
 * losslessly. The engine ignores the stored type: it sees floats.
 *
 * @param name unique within a model version, e.g. {@code layers.0.weight}
 * @param shape dimensions, each {@code >= 1}
 * @param data {@code product(shape)} values
 * @param dtype how the values are stored
 */
public record NamedTensor(String name, int[] shape, float[] data, DType dtype) {
  /** The stored element type. */
  public enum DType {
    /** IEEE 754 binary32, 4 bytes a value. */
    FLOAT32(4),
    /** IEEE 754 binary16, 2 bytes a value. */
    FLOAT16(2);

    private final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }

    /** Bytes a value. */
    public int bytes() {
      return bytes;
    }
  }

  /** A float32 tensor. */
  public NamedTensor(String name, int[] shape, float[] data) {
    this(name, shape, data, DType.FLOAT32);
  }

  /** Validates and copies; float16 values must be exactly representable (see {@link #toFloat16()}). */
  public NamedTensor {
    Objects.requireNonNull(dtype, "dtype");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("tensor name must not be blank, found '" + name + "'");
    }
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    long size = 1;
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape)
            + " has a dimension < 1");
      }
      size *= d;
    }
    if (size != data.length) {
      throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape)
          + " needs " + size + " values, found " + data.length);
    }
    shape = shape.clone();
    data = data.clone();
    if (dtype == DType.FLOAT16) {
      for (int i = 0; i < data.length; i++) {
        if (Float.isFinite(data[i]) && Float16.round(data[i]) != data[i]) {
          throw new IllegalArgumentException("tensor " + name + ": value " + data[i] + " at " + i
              + " is not a float16 value; use toFloat16()");
        }
      }
    }
  }

  /** This tensor stored as float16, each value rounded to the nearest float16 (ties to even). */
  public NamedTensor toFloat16() {
    float[] rounded = new float[data.length];
    for (int i = 0; i < rounded.length; i++) {
      rounded[i] = Float16.round(data[i]);
    }
    return new NamedTensor(name, shape, rounded, DType.FLOAT16);
  }

  /** The values as stored: little-endian bytes of {@link #dtype()}. */
  public byte[] storedBytes() {
    if (dtype == DType.FLOAT32) {
      return toLittleEndianBytes();
    }
    ByteBuffer buffer = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : data) {
      buffer.putShort(Float16.fromFloat(v));
    }
    return buffer.array();
  }

  /** A tensor from its stored little-endian bytes of {@code dtype}. */
  public static NamedTensor fromStoredBytes(String name, int[] shape, DType dtype, ByteBuffer bytes) {
    if (dtype == DType.FLOAT32) {
      return fromLittleEndianBytes(name, shape, bytes);
    }
    ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (le.remaining() % 2 != 0) {
      throw new IllegalArgumentException("tensor " + name + ": " + le.remaining()
          + " bytes is not a whole number of float16 values");
    }
    float[] values = new float[le.remaining() / 2];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float16.toFloat(le.getShort());
    }
    return new NamedTensor(name, shape, values, DType.FLOAT16);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public float[] data() {
    return data.clone();
  }

  /** Number of values. */
  public int size() {
    return data.length;
  }

  /** Whether the shape equals {@code expected}. */
  public boolean hasShape(int... expected) {
    return Arrays.equals(shape, expected);
  }

  /** Copies the values into {@code dest} at {@code offset}, without the copy {@link #data()} makes. */
  public void copyTo(float[] dest, int offset) {
    System.arraycopy(data, 0, dest, offset, data.length);
  }

  /** The values as little-endian float32 bytes (whatever the stored type). */
  public byte[] toLittleEndianBytes() {
    ByteBuffer buffer = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(data);
    return buffer.array();
  }

  /** A tensor from little-endian float32 bytes. */
  public static NamedTensor fromLittleEndianBytes(String name, int[] shape, ByteBuffer bytes) {
    ByteBuffer le = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (le.remaining() % Float.BYTES != 0) {
      throw new IllegalArgumentException("tensor " + name + ": " + le.remaining()
          + " bytes is not a whole number of float32 values");
    }
    float[] values = new float[le.remaining() / Float.BYTES];
    le.asFloatBuffer().get(values);
    return new NamedTensor(name, shape, values);
  }

  /** Whether every value is finite (no NaN or infinity). */
  public boolean allFinite() {
    for (float v : data) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamedTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data) && dtype == t.dtype;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data), dtype);
  }

  @Override
  public String toString() {
    return "NamedTensor[" + name + " " + Arrays.toString(shape) + " " + dtype + "]";
  }
}
