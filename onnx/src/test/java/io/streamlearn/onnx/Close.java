package io.streamlearn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Element-wise comparison with a relative tolerance, naming the first value that differs. */
final class Close {
  private Close() {}

  /**
   * Asserts {@code |actual - expected| <= tolerance * max(|expected|, floor)} for every value;
   * the floor keeps near-zero values (tiny probabilities) from demanding absolute agreement
   * below float32's resolution of the larger values they were computed from.
   */
  static void assertClose(float[] expected, float[] actual, double tolerance, double floor, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
      worst = Math.max(worst, err);
      if (!(err <= tolerance)) {
        fail(what + ": value " + i + " is " + actual[i] + ", expected " + expected[i] + " (relative error " + err
            + " > " + tolerance + ")");
      }
    }
  }

  /** The largest relative error, for reports. */
  static double worst(float[] expected, float[] actual, double floor) {
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor));
    }
    return worst;
  }
}
