package io.streamlearn.learn.scale;

import java.util.Arrays;

/**
 * Streaming min-max scaling {@code (x - min) / (max - min)} per feature, to [0, 1] over the values
 * seen so far. A feature with no range yet is only shifted. The extremes are inputs, so they are
 * floats held exactly in the skeleton's doubles, and the range is taken in float as the input is.
 */
public final class MinMaxScaler extends OnlineScaler {

  /** The {@link #kind()}. */
  public static final String KIND = "minmax";

  /** @param features number of features, >= 1 */
  public MinMaxScaler(int features) {
    super(features);
    Arrays.fill(first, Float.POSITIVE_INFINITY);
    Arrays.fill(second, Float.NEGATIVE_INFINITY);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  void observe(float[] x, int base) {
    double[] min = first;
    double[] max = second;
    for (int j = 0; j < features; j++) {
      float v = x[base + j];
      if (v < min[j]) {
        min[j] = v;
      }
      if (v > max[j]) {
        max[j] = v;
      }
    }
  }

  @Override
  float offset(int feature) {
    return (float) first[feature];
  }

  @Override
  float scale(int feature) {
    float range = (float) second[feature] - (float) first[feature];
    return range > 0f && Float.isFinite(1f / range) ? 1f / range : 1f;
  }
}
