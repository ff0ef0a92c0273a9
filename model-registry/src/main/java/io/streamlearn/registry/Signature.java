package io.streamlearn.registry;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a model takes and gives: inference refuses a version whose signature does not match the
 * input it serves.
 *
 * @param featureCount length of every input vector (for a model over the user's own records: the
 *     logical width of the featurized row the pipeline produces)
 * @param task classification or regression
 * @param outputCount class count for classification, output width for regression
 * @param classNames names of the classes by class index, as their label values (empty, or {@code
 *     outputCount} names, or 2 for a single-output binary classifier)
 * @param loss the loss the model was trained with (engine name, e.g. SOFTMAX_CROSS_ENTROPY)
 * @param inputs the named fields of the user's records the version's feature pipeline reads, in
 *     feature-spec order; empty for a model over {@code LabeledEvent}/{@code FeatureEvent}
 *     features
 */
public record Signature(int featureCount, Task task, int outputCount, List<String> classNames,
                        String loss, List<InputField> inputs) {
  /** Classification or regression. */
  public enum Task { CLASSIFICATION, REGRESSION }

  /**
   * One named input field.
   *
   * @param name the field's path in the input record, e.g. {@code user.country}
   * @param type its transform kind, e.g. numeric, category, hash, tokens, time, bool, array
   */
  public record InputField(String name, String type) {
    /** Validates. */
    public InputField {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("input field name must not be blank, found '" + name + "'");
      }
      if (type == null || type.isBlank()) {
        throw new IllegalArgumentException("input field " + name + " needs a type, found '" + type + "'");
      }
    }

    @Override
    public String toString() {
      return name + ":" + type;
    }
  }

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
    // A single-output binary classifier (sigmoid) still has two classes to name.
    boolean binary = outputCount == 1 && task == Task.CLASSIFICATION && classNames.size() == 2;
    if (!classNames.isEmpty() && classNames.size() != outputCount && !binary) {
      throw new IllegalArgumentException("classNames must be empty or have outputCount ("
          + outputCount + ") names (2 for a single-output binary classifier), found "
          + classNames.size());
    }
    Objects.requireNonNull(loss, "loss");
    inputs = List.copyOf(inputs);
    Set<String> names = new HashSet<>();
    for (InputField f : inputs) {
      if (!names.add(f.name())) {
        throw new IllegalArgumentException("input field " + f.name() + " appears twice in " + inputs);
      }
    }
  }

  /** A signature over {@code LabeledEvent}/{@code FeatureEvent} features (no named inputs). */
  public Signature(int featureCount, Task task, int outputCount, List<String> classNames, String loss) {
    this(featureCount, task, outputCount, classNames, loss, List.of());
  }

  /** A copy with these named input fields. */
  public Signature withInputs(List<InputField> newInputs) {
    return new Signature(featureCount, task, outputCount, classNames, loss, newInputs);
  }

  /** A copy with these class names (see {@link #classNames}). */
  public Signature withClassNames(List<String> newClassNames) {
    return new Signature(featureCount, task, outputCount, newClassNames, loss, inputs);
  }

  /** The class name of class index {@code c}, or null when this signature names no classes. */
  public String className(int c) {
    return classNames.isEmpty() || c < 0 || c >= classNames.size() ? null : classNames.get(c);
  }
}
