package io.streamlearn.learn;

import java.util.Arrays;

/**
 * A named float tensor, row-major. Immutable: the arrays are copied in and out.
 *
 * @param name  the tensor's name, e.g. {@code layers.0.weight}; not blank
 * @param shape dimensions, each >= 0 (a scalar has an empty shape)
 * @param data  the values, {@code product(shape)} of them, row-major
 */
public record Tensor(String name, int[] shape, float[] data) {

    /** Validates the fields and copies the arrays. */
    public Tensor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (shape == null) {
            throw new IllegalArgumentException("shape of tensor " + name + " must not be null");
        }
        if (data == null) {
            throw new IllegalArgumentException("data of tensor " + name + " must not be null");
        }
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape of tensor " + name + " has a negative dimension: " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (size != data.length) {
            throw new IllegalArgumentException("data of tensor " + name + " has " + data.length
                    + " values but shape " + Arrays.toString(shape) + " needs " + size);
        }
        shape = shape.clone();
        data = data.clone();
    }

    /** A copy of the shape. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** A copy of the values. */
    @Override
    public float[] data() {
        return data.clone();
    }

    /** Number of values. */
    public int size() {
        return data.length;
    }

    /** True if the shape equals {@code expected}. */
    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** Copies the values into {@code dest} at {@code offset} without an intermediate copy. */
    public void copyTo(float[] dest, int offset) {
        System.arraycopy(data, 0, dest, offset, data.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
