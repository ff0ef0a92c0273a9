package io.streamlearn.learn;

import java.util.Map;

/**
 * How a dense layer's weights (and, for {@link #TORCH}, biases) are drawn from the seed. Every
 * scheme is uniform on {@code [-limit, limit)}; the limits below use {@code fan_in} = the layer's
 * input width and {@code fan_out} = its units. Biases are zero unless stated.
 *
 * <p>All layers draw, in order, from one {@link java.util.SplittableRandom} seeded with the
 * training seed: a layer's weights row-major, then its biases if the scheme draws them. So a fixed
 * seed gives bit-identical parameters for every scheme.
 */
public enum WeightInit {
  /**
   * The default, and what every network got before the choice existed: {@link #HE} for relu and
   * leaky relu layers, {@link #GLOROT} for the others. Not written into the spec text.
   */
  AUTO,
  /** He (Kaiming) uniform, Keras' {@code he_uniform}: {@code limit = sqrt(6 / fan_in)}. */
  HE,
  /** Glorot (Xavier) uniform, Keras' {@code glorot_uniform}: {@code limit = sqrt(6 / (fan_in + fan_out))}. */
  GLOROT,
  /** LeCun uniform, Keras' {@code lecun_uniform}: {@code limit = sqrt(3 / fan_in)}. */
  LECUN,
  /**
   * PyTorch's default for {@code nn.Linear} ({@code kaiming_uniform_} with {@code a = sqrt(5)}):
   * {@code limit = 1 / sqrt(fan_in)} for the weights, and the biases are drawn from the same range.
   * Use it to compare with a PyTorch model like for like.
   */
  TORCH;

  private static final Map<String, WeightInit> ALIASES = Map.of("kaiming", HE, "xavier", GLOROT, "pytorch", TORCH);

  /** The lower-case name used in network spec strings, e.g. {@code init=torch}. */
  public String token() {
    return SpecTokens.of(this);
  }

  /**
   * Parses a spec-string token (case-insensitive; {@code kaiming}, {@code xavier} and
   * {@code pytorch} are accepted as aliases of he, glorot and torch).
   *
   * @throws IllegalArgumentException naming the token if it is unknown
   */
  public static WeightInit fromToken(String token) {
    return SpecTokens.parse(token, values(), ALIASES, "weight init");
  }

  /** The scheme {@link #AUTO} stands for on a layer with this activation; any other scheme is itself. */
  public WeightInit resolve(Activation activation) {
    if (this != AUTO) {
      return this;
    }
    return activation == Activation.RELU || activation == Activation.LEAKY_RELU ? HE : GLOROT;
  }

  /** Half-width of the uniform range of the weights of a layer with this activation. */
  public double weightLimit(int fanIn, int fanOut, Activation activation) {
    switch (resolve(activation)) {
      case HE:
        return Math.sqrt(6.0 / fanIn);
      case GLOROT:
        return Math.sqrt(6.0 / (fanIn + fanOut));
      case LECUN:
        return Math.sqrt(3.0 / fanIn);
      case TORCH:
        return 1.0 / Math.sqrt(fanIn);
      default:
        throw new IllegalStateException("unhandled weight init " + this);
    }
  }

  /** Half-width of the uniform range of the biases, 0 for the schemes that leave them at zero. */
  public double biasLimit(int fanIn) {
    return this == TORCH ? 1.0 / Math.sqrt(fanIn) : 0.0;
  }
}
