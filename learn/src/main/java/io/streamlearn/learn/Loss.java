package io.streamlearn.learn;

/**
 * Training loss. Each is the mean over the batch (and, for {@link #MSE} and
 * {@link #BINARY_CROSS_ENTROPY}, over the outputs too), as in Keras and PyTorch.
 */
public enum Loss {
  /**
   * Cross-entropy of a softmax output against sparse labels (one class index per row). Requires a
   * {@link Activation#SOFTMAX} output layer; computed from the logits for numerical stability.
   */
  SOFTMAX_CROSS_ENTROPY,
  /** Mean squared error against {@code rows * outputs} targets; any output activation. */
  MSE,
  /**
   * Binary cross-entropy against {@code rows * outputs} targets in {@code [0, 1]}. Requires a
   * {@link Activation#SIGMOID} output layer; computed from the logits for numerical stability.
   */
  BINARY_CROSS_ENTROPY;

  /** Number of target values per row that {@link Learner#fit} expects for a network with {@code outputs} units. */
  public int targetsPerRow(int outputs) {
    return this == SOFTMAX_CROSS_ENTROPY ? 1 : outputs;
  }

  /**
   * Parses a loss name, case-insensitive: {@code softmax_cross_entropy} (also
   * {@code sparse_categorical_crossentropy}, {@code cross_entropy}), {@code mse}, {@code binary_cross_entropy}
   * (also {@code bce}).
   *
   * @throws IllegalArgumentException naming the unknown loss
   */
  public static Loss fromToken(String token) {
    String t = token == null ? "" : token.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    switch (t) {
      case "softmax_cross_entropy", "sparse_categorical_crossentropy", "cross_entropy", "ce":
        return SOFTMAX_CROSS_ENTROPY;
      case "mse", "mean_squared_error":
        return MSE;
      case "binary_cross_entropy", "binary_crossentropy", "bce":
        return BINARY_CROSS_ENTROPY;
      default:
        throw new IllegalArgumentException("unknown loss '" + token
            + "' (expected softmax_cross_entropy, mse or binary_cross_entropy)");
    }
  }
}
