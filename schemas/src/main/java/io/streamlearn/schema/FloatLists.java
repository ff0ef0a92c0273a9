package io.streamlearn.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * Between the {@code float[]} the engine works on and the {@code List<Float>} the generated Avro
 * classes hold for an {@code array<float>} field (features, preprocessing vectors).
 */
public final class FloatLists {
  private FloatLists() {}

  /** A new mutable list of the values. */
  public static List<Float> boxed(float[] values) {
    return boxed(values, 0, values.length);
  }

  /** A new mutable list of {@code values[from, from + count)}. */
  public static List<Float> boxed(float[] values, int from, int count) {
    List<Float> out = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      out.add(values[i]);
    }
    return out;
  }

  /** The values as an array (a null element fails with a NullPointerException). */
  public static float[] unboxed(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
