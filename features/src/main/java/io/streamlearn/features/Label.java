package io.streamlearn.features;

/**
 * A record's label as the learner takes it.
 *
 * @param classIndex the class for classification (a learned or fixed class), -1 for regression
 * @param target the regression target; for classification the class index, so a loss reads either
 */
public record Label(int classIndex, double target) {

  /** Validates the fields. */
  public Label {
    if (classIndex < -1) {
      throw new IllegalArgumentException("classIndex must be >= -1, got " + classIndex);
    }
    if (!Double.isFinite(target)) {
      throw new IllegalArgumentException("label target must be finite, got " + target);
    }
  }
}
