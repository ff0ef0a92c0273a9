package io.streamlearn.learn;

/**
 * Batch normalisation over the last axis of its input (the features of a vector, the channels of a
 * channels-last image), with PyTorch's semantics: training normalises by the batch's mean and
 * biased variance over every position of every example, inference by the running statistics; the
 * running statistics move by {@code momentum} towards the batch's mean and unbiased variance only
 * when {@link #commit()} says the step counts (a batch whose loss is not finite leaves them alone).
 * Sums run in double so a 64 x 26 x 26 batch loses nothing to float rounding.
 */
final class BatchNormStage implements Stage {

  private final float[] params;
  private final int features;
  /** Values per example. */
  private final int size;
  private final int gamma;
  private final int beta;
  private final int mean;
  private final int var;
  private final double momentum;
  private final double epsilon;
  private final boolean training;

  /** Training: the normalised input, and per feature the batch's inverse deviation and statistics. */
  private final float[] xhat;
  private final float[] invStd;
  private final double[] batchMean;
  private final double[] batchVar;
  private final double[] sum;
  private final double[] sum2;
  private final float[] scale;
  private final float[] shift;
  private final float[] meanGradXhat;
  /** Where {@link #backward} writes gamma's and beta's gradients: the network's gradient vector. */
  private final float[] grads;
  private int pendingPositions;

  /** @param grads the network's gradient vector (training), or null */
  BatchNormStage(Layout layout, int i, float[] params, float[] grads, int maxRows, boolean training) {
    LayerSpec.BatchNorm spec = (LayerSpec.BatchNorm) layout.layer(i);
    this.params = params;
    this.features = layout.features(i);
    this.size = layout.inWidth[i];
    this.gamma = layout.biasOffset[i];
    this.beta = layout.betaOffset[i];
    this.mean = layout.meanOffset[i];
    this.var = layout.varOffset[i];
    this.momentum = spec.momentum();
    this.epsilon = spec.epsilon();
    this.training = training;
    this.xhat = training ? new float[maxRows * size] : null;
    this.invStd = new float[features];
    this.batchMean = new double[features];
    this.batchVar = new double[features];
    this.sum = new double[features];
    this.sum2 = new double[features];
    this.scale = new float[features];
    this.shift = new float[features];
    this.meanGradXhat = new float[features];
    this.grads = grads;
  }

  @Override
  public void forward(float[] in, int inOffset, int rows, float[] out) {
    int f = features;
    int n = rows * size;
    int positions = n / f;
    if (!training) {
      for (int c = 0; c < f; c++) {
        scale[c] = (float) (params[gamma + c] / Math.sqrt(params[var + c] + epsilon));
        shift[c] = params[beta + c] - params[mean + c] * scale[c];
      }
      for (int p = 0, base = 0; p < positions; p++, base += f) {
        for (int c = 0; c < f; c++) {
          out[base + c] = in[inOffset + base + c] * scale[c] + shift[c];
        }
      }
      return;
    }
    java.util.Arrays.fill(sum, 0.0);
    for (int p = 0, base = inOffset; p < positions; p++, base += f) {
      for (int c = 0; c < f; c++) {
        sum[c] += in[base + c];
      }
    }
    for (int c = 0; c < f; c++) {
      batchMean[c] = sum[c] / positions;
      scale[c] = (float) batchMean[c];
    }
    // two passes: the variance from squared deviations, not E[x^2] - E[x]^2, which cancels badly
    java.util.Arrays.fill(sum2, 0.0);
    for (int p = 0, base = inOffset; p < positions; p++, base += f) {
      for (int c = 0; c < f; c++) {
        float d = in[base + c] - scale[c];
        sum2[c] += d * d;
      }
    }
    for (int c = 0; c < f; c++) {
      batchVar[c] = sum2[c] / positions;
      invStd[c] = (float) (1.0 / Math.sqrt(batchVar[c] + epsilon));
      shift[c] = params[gamma + c];
    }
    for (int p = 0, base = 0; p < positions; p++, base += f) {
      for (int c = 0; c < f; c++) {
        float h = (in[inOffset + base + c] - scale[c]) * invStd[c];
        xhat[base + c] = h;
        out[base + c] = h * shift[c] + params[beta + c];
      }
    }
    pendingPositions = positions;
  }

  @Override
  public void backward(float[] in, int inOffset, float[] out, float[] gOut, int rows, float[] gIn) {
    int f = features;
    int positions = rows * size / f;
    // sum = dL/dbeta, sum2 = dL/dgamma
    java.util.Arrays.fill(sum, 0.0);
    java.util.Arrays.fill(sum2, 0.0);
    for (int p = 0, base = 0; p < positions; p++, base += f) {
      for (int c = 0; c < f; c++) {
        float g = gOut[base + c];
        sum[c] += g;
        sum2[c] += g * xhat[base + c];
      }
    }
    for (int c = 0; c < f; c++) {
      grads[beta + c] = (float) sum[c];
      grads[gamma + c] = (float) sum2[c];
    }
    if (gIn == null) {
      return;
    }
    for (int c = 0; c < f; c++) {
      // dx = gamma * invStd / P * (P * g - dbeta - xhat * dgamma)
      scale[c] = params[gamma + c] * invStd[c];
      shift[c] = (float) (sum[c] / positions);
      meanGradXhat[c] = (float) (sum2[c] / positions);
    }
    for (int p = 0, base = 0; p < positions; p++, base += f) {
      for (int c = 0; c < f; c++) {
        gIn[base + c] = scale[c] * (gOut[base + c] - shift[c] - xhat[base + c] * meanGradXhat[c]);
      }
    }
  }

  @Override
  public void commit() {
    int positions = pendingPositions;
    if (positions == 0) {
      return;
    }
    for (int c = 0; c < features; c++) {
      params[mean + c] = (float) ((1.0 - momentum) * params[mean + c] + momentum * batchMean[c]);
      if (positions > 1) {
        double unbiased = batchVar[c] * positions / (positions - 1);
        params[var + c] = (float) ((1.0 - momentum) * params[var + c] + momentum * unbiased);
      }
    }
    pendingPositions = 0;
  }
}
