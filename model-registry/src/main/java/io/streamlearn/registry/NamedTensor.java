package io.streamlearn.registry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named float32 tensor, row-major. On the wire its data are little-endian bytes.
 *
 * @param name unique within a model version, e.g. {@code layers.0.weight}
 * @param shape dimensions, each {@code >= 1}
 * @param data {@code product(shape)} values
 */
public record NamedTensor(String name, int[] shape, float[] data) {
  /** Validates and copies. */
  public NamedTensor {
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

  /** The values as little-endian float32 bytes. */
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
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "NamedTensor[" + name + " " + Arrays.toString(shape) + "]";
  }
}
