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
