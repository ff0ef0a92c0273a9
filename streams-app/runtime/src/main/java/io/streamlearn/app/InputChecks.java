package io.streamlearn.app;

import io.streamlearn.registry.Signature;
import io.streamlearn.schema.InputEvent;

/** Checks an event against a model signature; both apps refuse the same inputs for the same reasons. */
public final class InputChecks {
  private InputChecks() {}

  /** Why the features do not fit the signature, or {@code null} when they do. */
  public static String featureProblem(InputEvent e, int featureCount) {
    float[] x = e.features();
    if (x.length != featureCount) {
      return "wrong feature count: expected " + featureCount + ", found " + x.length;
    }
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        return "feature " + i + " is " + x[i];
      }
    }
    return null;
  }

  /**
   * Why a label value of the user's record, mapped to class {@code classIndex} by the label
   * vocabulary, does not fit the model, or {@code null} when it does: the vocabulary can learn
   * more classes than the output layer has, and such a record is a dead letter, not a crash.
   *
   * @param labelField the label's field path ({@code --label-field})
   * @param value the label value as found in the record
   * @param classIndex the class the vocabulary gives it
   * @param outputCount the model's output count (1: a binary classifier, 2 classes)
   */
  public static Refusal labelClassProblem(String labelField, Object value, int classIndex, int outputCount) {
    int classes = outputCount == 1 ? 2 : outputCount;
    if (classIndex >= 0 && classIndex < classes) {
      return null;
    }
    return Refusal.ofField(labelField, "label " + value + " is class " + classIndex
        + ", beyond the model's " + classes + " classes");
  }

  /** Why the label does not fit the signature, or {@code null} when it does (or there is none). */
  public static String labelProblem(InputEvent e, Signature.Task task, int outputCount) {
    if (e.label() == null) {
      return null;
    }
    if (task == Signature.Task.CLASSIFICATION) {
      if (!(e.label() instanceof InputEvent.ClassIndex c)) {
        return "label must be an int class index for classification, found float " + e.label().asFloat();
      }
      int classes = outputCount == 1 ? 2 : outputCount;
      if (c.value() < 0 || c.value() >= classes) {
        return "label " + c.value() + " out of range [0, " + classes + ")";
      }
      return null;
    }
    return Float.isFinite(e.label().asFloat()) ? null : "label is " + e.label().asFloat();
  }
}
