package io.streamlearn.registry;

import java.util.List;
import java.util.Objects;

/**
 * What a model takes and gives: inference refuses a version whose signature does not match the
 * input it serves.
 *
 * @param featureCount length of every input vector
 * @param task classification or regression
 * @param outputCount class count for classification, output width for regression
 * @param classNames names of the classes (empty, or {@code outputCount} names)
 * @param loss the loss the model was trained with (engine name, e.g. SOFTMAX_CROSS_ENTROPY)
 */
public record Signature(int featureCount, Task task, int outputCount, List<String> classNames,
                        String loss) {
  /** Classification or regression. */
  public enum Task { CLASSIFICATION, REGRESSION }

  /** Validates and copies. */
  public Signature {
    if (featureCount < 1) {
      throw new IllegalArgumentException("featureCount must be >= 1, found " + featureCount);
    }
    Objects.requireNonNull(task, "task");
    if (outputCount < 1) {
      throw new IllegalArgumentException("outputCount must be >= 1, found " + outputCount);
    }
    classNames = List.copyOf(classNames);
    if (!classNames.isEmpty() && classNames.size() != outputCount) {
      throw new IllegalArgumentException("classNames must be empty or have outputCount ("
          + outputCount + ") names, found " + classNames.size());
    }
    Objects.requireNonNull(loss, "loss");
  }
}
