package io.streamlearn.learn;

import java.util.Map;

/** Activation function of a dense layer. */
public enum Activation {
  /** {@code max(0, x)}. */
  RELU,
  /** {@code x} for positive inputs, {@code 0.01 x} otherwise (PyTorch's default slope; Keras' layer defaults to 0.3). */
  LEAKY_RELU,
  /** Hyperbolic tangent. */
  TANH,
  /** Logistic function {@code 1 / (1 + e^-x)}. */
  SIGMOID,
  /** Softmax over the units of the layer (for class probabilities). */
  SOFTMAX,
  /** Identity. */
  LINEAR;

  /** Negative slope of {@link #LEAKY_RELU}. */
  public static final double LEAKY_SLOPE = 0.01;

  private static final Map<String, Activation> ALIASES = Map.of(
      "leakyrelu", LEAKY_RELU, "leaky-relu", LEAKY_RELU, "identity", LINEAR, "none", LINEAR);

  /** The lower-case name used in network spec strings, e.g. {@code leaky_relu}. */
  public String token() {
    return SpecTokens.of(this);
  }

  /**
   * Parses a spec-string token (case-insensitive; {@code leakyrelu}, {@code identity} and
   * {@code none} are accepted as aliases).
   *
   * @throws IllegalArgumentException naming the token if it is unknown
   */
  public static Activation fromToken(String token) {
    return SpecTokens.parse(token, values(), ALIASES, "activation");
  }
}
