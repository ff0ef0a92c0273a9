package io.streamlearn.testkit.gen;

import java.util.Arrays;
import java.util.Objects;

/**
 * One generated example: a feature vector and its class index.
 *
 * @param features the input vector (copied)
 * @param label the class index, {@code >= 0}
 */
public record Example(float[] features, int label) {
  /** Validates and copies. */
  public Example {
    Objects.requireNonNull(features, "features");
    if (label < 0) {
      throw new IllegalArgumentException("label must be >= 0, found " + label);
    }
    features = features.clone();
  }

  @Override
  public float[] features() {
    return features.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Example e && label == e.label && Arrays.equals(features, e.features);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(features) + label;
  }

  @Override
  public String toString() {
    return "Example[label=" + label + ", features=" + Arrays.toString(features) + "]";
  }
}
