package io.streamlearn.learn;

/**
 * Output-layer activations and losses in plain Java, on the small {@code rows x outputs} block that
 * the network copies out anyway: cheaper than the several native calls they would cost in ND4J.
 * Losses are accumulated in double and computed from the logits where that is more stable.
 */
final class OutputMath {

  private OutputMath() {
  }

  /** {@code out = activation(z)} row by row; {@code out} may be {@code z}. */
  static void activate(Activation activation, float[] z, float[] out, int rows, int cols) {
    int n = rows * cols;
    switch (activation) {
      case RELU:
        for (int k = 0; k < n; k++) {
          out[k] = z[k] > 0f ? z[k] : 0f;
        }
        break;
      case LEAKY_RELU:
        for (int k = 0; k < n; k++) {
          out[k] = z[k] > 0f ? z[k] : (float) (Activation.LEAKY_SLOPE * z[k]);
        }
        break;
      case TANH:
        for (int k = 0; k < n; k++) {
          out[k] = (float) Math.tanh(z[k]);
        }
        break;
      case SIGMOID:
        for (int k = 0; k < n; k++) {
          out[k] = sigmoid(z[k]);
        }
        break;
      case SOFTMAX:
        for (int r = 0, base = 0; r < rows; r++, base += cols) {
          float max = Float.NEGATIVE_INFINITY;
          for (int j = 0; j < cols; j++) {
            max = Math.max(max, z[base + j]);
          }
          double sum = 0;
          for (int j = 0; j < cols; j++) {
            float e = (float) Math.exp(z[base + j] - max);
            out[base + j] = e;
            sum += e;
          }
          float inv = (float) (1.0 / sum);
          for (int j = 0; j < cols; j++) {
            out[base + j] *= inv;
          }
        }
        break;
      case LINEAR:
        if (out != z) {
          System.arraycopy(z, 0, out, 0, n);
        }
        break;
      default:
        throw new IllegalStateException("unhandled activation " + activation);
    }
  }

  static float sigmoid(float z) {
    return (float) (1.0 / (1.0 + Math.exp(-z)));
  }

  /** {@code dz = J_softmax(a)^T g} per row: {@code a_j (g_j - sum_k g_k a_k)}; {@code dz} may be {@code g}. */
  static void softmaxBackward(float[] a, float[] g, float[] dz, int rows, int cols) {
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      double dot = 0;
      for (int j = 0; j < cols; j++) {
        dot += (double) g[base + j] * a[base + j];
      }
      for (int j = 0; j < cols; j++) {
        dz[base + j] = (float) (a[base + j] * (g[base + j] - dot));
      }
    }
  }

  /**
   * Mean loss of a batch and, if {@code dz} is not null and the loss is finite, its gradient with
   * respect to the logits {@code z}. {@code p} holds {@code activation(z)}.
   *
   * @throws IllegalArgumentException on a class label that is not an integer in range, or a non-finite target
   */
  static double loss(Loss loss, Activation activation, float[] z, float[] p, float[] y, int rows, int cols, float[] dz) {
    switch (loss) {
      case SOFTMAX_CROSS_ENTROPY:
        return softmaxCrossEntropy(z, p, y, rows, cols, dz);
      case BINARY_CROSS_ENTROPY:
        return binaryCrossEntropy(z, p, y, rows, cols, dz);
      case MSE:
        return meanSquaredError(activation, z, p, y, rows, cols, dz);
      default:
        throw new IllegalStateException("unhandled loss " + loss);
    }
  }

  private static double softmaxCrossEntropy(float[] z, float[] p, float[] y, int rows, int cols, float[] dz) {
    double total = 0;
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      int label = label(y[r], r, cols);
      // p already holds softmax(z), so -log p[label] needs only the row's log-sum-exp, recovered
      // from p and z without a second pass of exponentials: log p_j = z_j - lse.
      float max = Float.NEGATIVE_INFINITY;
      int argmax = 0;
      for (int j = 0; j < cols; j++) {
        if (z[base + j] > max) {
          max = z[base + j];
          argmax = j;
        }
      }
      // p[argmax] is the largest probability, so its log is the most accurate way to get lse
      double lse = z[base + argmax] - Math.log(p[base + argmax]);
      total += lse - z[base + label];
    }
    double mean = total / rows;
    if (dz != null && Double.isFinite(mean)) {
      float inv = 1f / rows;
      for (int r = 0, base = 0; r < rows; r++, base += cols) {
        int label = (int) y[r];
        for (int j = 0; j < cols; j++) {
          dz[base + j] = p[base + j] * inv;
        }
        dz[base + label] -= inv;
      }
    }
    return mean;
  }

  private static int label(float value, int row, int cols) {
    int label = (int) value;
    if (label != value || label < 0 || label >= cols) {
      throw new IllegalArgumentException("label of row " + row + " must be a class index in [0, " + cols + "), got " + value);
    }
    return label;
  }

  private static double binaryCrossEntropy(float[] z, float[] p, float[] y, int rows, int cols, float[] dz) {
    int n = rows * cols;
    double total = 0;
    for (int k = 0; k < n; k++) {
      float t = target(y[k], k);
      double logit = z[k];
      // log(1 + e^z) - z t, written so that neither branch overflows
      total += Math.max(logit, 0.0) - logit * t + Math.log1p(Math.exp(-Math.abs(logit)));
    }
    double mean = total / n;
    if (dz != null && Double.isFinite(mean)) {
      float inv = 1f / n;
      for (int k = 0; k < n; k++) {
        dz[k] = (p[k] - y[k]) * inv;
      }
    }
    return mean;
  }

  private static double meanSquaredError(Activation activation, float[] z, float[] p, float[] y, int rows, int cols, float[] dz) {
    int n = rows * cols;
    double total = 0;
    for (int k = 0; k < n; k++) {
      double d = (double) p[k] - target(y[k], k);
      total += d * d;
    }
    double mean = total / n;
    if (dz != null && Double.isFinite(mean)) {
      float scale = 2f / n;
      for (int k = 0; k < n; k++) {
        dz[k] = (p[k] - y[k]) * scale;
      }
      chainActivation(activation, z, p, dz, rows, cols);
    }
    return mean;
  }

  /** Multiplies the gradient with respect to the activation output by the activation's derivative, in place. */
  private static void chainActivation(Activation activation, float[] z, float[] p, float[] g, int rows, int cols) {
    int n = rows * cols;
    switch (activation) {
      case LINEAR:
        break;
      case RELU:
        for (int k = 0; k < n; k++) {
          g[k] = z[k] > 0f ? g[k] : 0f;
        }
        break;
      case LEAKY_RELU:
        for (int k = 0; k < n; k++) {
          g[k] = z[k] > 0f ? g[k] : (float) (Activation.LEAKY_SLOPE * g[k]);
        }
        break;
      case TANH:
        for (int k = 0; k < n; k++) {
          g[k] *= 1f - p[k] * p[k];
        }
        break;
      case SIGMOID:
        for (int k = 0; k < n; k++) {
          g[k] *= p[k] * (1f - p[k]);
        }
        break;
      case SOFTMAX:
        softmaxBackward(p, g, g, rows, cols);
        break;
      default:
        throw new IllegalStateException("unhandled activation " + activation);
    }
  }

  private static float target(float value, int index) {
    if (!Float.isFinite(value)) {
      throw new IllegalArgumentException("target " + index + " must be finite, got " + value);
    }
    return value;
  }
}
