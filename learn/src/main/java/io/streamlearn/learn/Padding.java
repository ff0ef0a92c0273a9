package io.streamlearn.learn;

import java.util.Map;

/**
 * Padding of a {@link LayerSpec.Conv2d}: {@link #VALID} (none; the output shrinks by the kernel) or
 * {@link #SAME} (zeros around the input so that the output is {@code ceil(input / stride)} wide; when
 * the total padding is odd the extra row and column go at the end, as ONNX's {@code SAME_UPPER}
 * and TensorFlow do).
 */
public enum Padding {
  /** No padding. */
  VALID,
  /** Zero padding to an output of {@code ceil(input / stride)}. */
  SAME;

  /** The lower-case name used in network spec strings. */
  public String token() {
    return SpecTokens.of(this);
  }

  /**
   * Parses a spec-string token (case-insensitive).
   *
   * @throws IllegalArgumentException naming the token if it is unknown
   */
  public static Padding fromToken(String token) {
    return SpecTokens.parse(token, values(), Map.of(), "padding");
  }

  /** Output length along one axis of {@code input} cells for a kernel {@code kernel} at {@code stride}. */
  int outputLength(int input, int kernel, int stride) {
    return this == SAME ? (input + stride - 1) / stride : (input - kernel) / stride + 1;
  }

  /** Zero cells before the input along one axis (the total padding's floor half). */
  int padBefore(int input, int kernel, int stride) {
    if (this == VALID) {
      return 0;
    }
    int out = outputLength(input, kernel, stride);
    return Math.max(0, (out - 1) * stride + kernel - input) / 2;
  }
}
