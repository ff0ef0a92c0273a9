package io.streamlearn.learn;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A 2-D convolution of channels-last images as one matrix product per batch (im2col): each output
 * position of each example becomes a row of its {@code k * k * C} input values in {@code (ky, kx, c)}
 * order, and {@code rows * positions x kkc} times the {@code kkc x filters} weight matrix in native
 * BLAS gives the channels-last output directly. Batch-major, so one large product replaces one small
 * product per example. A kernel row {@code (kx, c)} of a valid window is contiguous in a
 * channels-last image, so the patches are built by bulk copies of {@code k * C} values.
 *
 * <p>Backward: the weight gradient is {@code patches^T dZ} (native, into the network's native weight
 * gradients), the input gradient {@code dZ W^T} scattered back onto the image (col2im).
 */
final class ConvStage implements Stage {

  private final float[] params;
  private final float[] grads;
  private final FloatBuffer weightN;
  private final FloatBuffer gradWeightN;
  private final Activation activation;
  private final int height;
  private final int width;
  private final int channels;
  private final int k;
  private final int stride;
  private final int padTop;
  private final int padLeft;
  private final int outHeight;
  private final int outWidth;
  private final int filters;
  private final int kkc;
  private final int bias;

  /** The patches: Java (built, then reused for the patch gradients) and native (read by the products). */
  private final float[] cols;
  private final FloatBuffer colsN;
  private final FloatBuffer zN;
  private final float[] dz;
  private final FloatBuffer dzN;
  private final FloatBuffer dColsN;
  private final double[] biasSum;
  /** The biases during the forward pass, partial sums of their gradient in the backward pass. */
  private final float[] biasCopy;

  /**
   * @param grads       the network's gradient vector (training), or null
   * @param gradWeightN this layer's slice of the native weight gradients (training), or null
   */
  ConvStage(Layout layout, int i, float[] params, FloatBuffer weightN, float[] grads, FloatBuffer gradWeightN,
      int maxRows, boolean training) {
    LayerSpec.Conv2d spec = (LayerSpec.Conv2d) layout.layer(i);
    NetworkSpec.Shape in = layout.inShape[i];
    NetworkSpec.Shape out = layout.outShape[i];
    this.params = params;
    this.grads = grads;
    this.weightN = weightN;
    this.gradWeightN = gradWeightN;
    this.activation = spec.activation();
    this.height = in.height();
    this.width = in.width();
    this.channels = in.channels();
    this.k = spec.kernel();
    this.stride = spec.stride();
    this.padTop = spec.padding().padBefore(height, k, stride);
    this.padLeft = spec.padding().padBefore(width, k, stride);
    this.outHeight = out.height();
    this.outWidth = out.width();
    this.filters = spec.filters();
    this.kkc = k * k * channels;
    this.bias = layout.biasOffset[i];
    int positions = maxRows * outHeight * outWidth;
    this.cols = new float[positions * kkc];
    this.colsN = Network.allocate(positions * kkc);
    this.zN = Network.allocate(positions * filters);
    this.dz = training ? new float[positions * filters] : null;
    this.dzN = training ? Network.allocate(positions * filters) : null;
    this.dColsN = training ? Network.allocate(positions * kkc) : null;
    this.biasSum = new double[filters];
    this.biasCopy = new float[filters];
  }

  @Override
  public void forward(float[] in, int inOffset, int rows, float[] out) {
    int m = rows * outHeight * outWidth;
    im2col(in, inOffset, rows);
    colsN.put(0, cols, 0, m * kkc);
    NativeBlas.gemm(false, false, m, filters, kkc, 1f, colsN, weightN, 0f, zN);
    zN.get(0, out, 0, m * filters);
    activate(out, m);
  }

  private void im2col(float[] in, int inOffset, int rows) {
    int span = k * channels;
    int row = 0;
    for (int n = 0; n < rows; n++) {
      int image = inOffset + n * height * width * channels;
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++, row += kkc) {
          int x0 = ox * stride - padLeft;
          boolean inside = x0 >= 0 && x0 + k <= width;
          for (int ky = 0; ky < k; ky++) {
            int y = oy * stride - padTop + ky;
            int dst = row + ky * span;
            if (y < 0 || y >= height) {
              Arrays.fill(cols, dst, dst + span, 0f);
            } else if (inside) {
              int src = image + (y * width + x0) * channels;
              if (span < 16) {
                // a call per 3 values (a 3x3 kernel over one channel) costs more than the copy
                for (int q = 0; q < span; q++) {
                  cols[dst + q] = in[src + q];
                }
              } else {
                System.arraycopy(in, src, cols, dst, span);
              }
            } else {
              for (int kx = 0; kx < k; kx++) {
                int x = x0 + kx;
                if (x < 0 || x >= width) {
                  Arrays.fill(cols, dst + kx * channels, dst + (kx + 1) * channels, 0f);
                } else {
                  System.arraycopy(in, image + (y * width + x) * channels, cols, dst + kx * channels, channels);
                }
              }
            }
          }
        }
      }
    }
  }

  /** The inverse scatter of {@link #im2col}: adds each patch gradient back onto its image cells. */
  private void col2im(float[] gIn, int rows) {
    Arrays.fill(gIn, 0, rows * height * width * channels, 0f);
    int row = 0;
    for (int n = 0; n < rows; n++) {
      int image = n * height * width * channels;
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++, row += kkc) {
          int x0 = ox * stride - padLeft;
          for (int ky = 0; ky < k; ky++) {
            int y = oy * stride - padTop + ky;
            if (y < 0 || y >= height) {
              continue;
            }
            for (int kx = 0; kx < k; kx++) {
              int x = x0 + kx;
              if (x < 0 || x >= width) {
                continue;
              }
              int dst = image + (y * width + x) * channels;
              int src = row + (ky * k + kx) * channels;
              for (int c = 0; c < channels; c++) {
                gIn[dst + c] += cols[src + c];
              }
            }
          }
        }
      }
    }
  }

  /** Adds the bias and applies the activation in place on {@code m} positions of {@code filters} values. */
  private void activate(float[] out, int m) {
    int f = filters;
    float[] b = biasCopy;
    System.arraycopy(params, bias, b, 0, f);
    switch (activation) {
      case RELU:
        for (int p = 0, base = 0; p < m; p++, base += f) {
          for (int j = 0; j < f; j++) {
            out[base + j] = Math.max(out[base + j] + b[j], 0f);
          }
        }
        break;
      case LEAKY_RELU:
        float slope = (float) Activation.LEAKY_SLOPE;
        for (int p = 0, base = 0; p < m; p++, base += f) {
          for (int j = 0; j < f; j++) {
            float v = out[base + j] + b[j];
            out[base + j] = Math.max(v, v * slope);
          }
        }
        break;
      case TANH:
        for (int p = 0, base = 0; p < m; p++, base += f) {
          for (int j = 0; j < f; j++) {
            out[base + j] = (float) Math.tanh(out[base + j] + b[j]);
          }
        }
        break;
      case SIGMOID:
        for (int p = 0, base = 0; p < m; p++, base += f) {
          for (int j = 0; j < f; j++) {
            out[base + j] = (float) (1.0 / (1.0 + Math.exp(-(out[base + j] + b[j]))));
          }
        }
        break;
      case LINEAR:
        for (int p = 0, base = 0; p < m; p++, base += f) {
          for (int j = 0; j < f; j++) {
            out[base + j] += b[j];
          }
        }
        break;
      default:
        throw new IllegalStateException("unhandled conv2d activation " + activation);
    }
  }

  @Override
  public void backward(float[] in, int inOffset, float[] out, float[] gOut, int rows, float[] gIn) {
    int m = rows * outHeight * outWidth;
    int n = m * filters;
    switch (activation) {
      case RELU:
        // branch-free, as in Network: relu outputs are +0.0 or positive
        for (int q = 0; q < n; q++) {
          int active = -Float.floatToRawIntBits(out[q]) >> 31;
          dz[q] = Float.intBitsToFloat(Float.floatToRawIntBits(gOut[q]) & active);
        }
        break;
      case LEAKY_RELU:
        float slope = (float) Activation.LEAKY_SLOPE;
        for (int q = 0; q < n; q++) {
          dz[q] = out[q] > 0f ? gOut[q] : gOut[q] * slope;
        }
        break;
      case TANH:
        for (int q = 0; q < n; q++) {
          dz[q] = gOut[q] * (1f - out[q] * out[q]);
        }
        break;
      case SIGMOID:
        for (int q = 0; q < n; q++) {
          dz[q] = gOut[q] * out[q] * (1f - out[q]);
        }
        break;
      default:
        System.arraycopy(gOut, 0, dz, 0, n);
        break;
    }
    // float partial sums over blocks of positions, added up in double: a batch has tens of
    // thousands of positions per filter, too many for one float sum
    Arrays.fill(biasSum, 0.0);
    for (int start = 0; start < m; start += 64) {
      int end = Math.min(m, start + 64);
      Arrays.fill(biasCopy, 0f);
      for (int p = start, base = start * filters; p < end; p++, base += filters) {
        for (int j = 0; j < filters; j++) {
          biasCopy[j] += dz[base + j];
        }
      }
      for (int j = 0; j < filters; j++) {
        biasSum[j] += biasCopy[j];
      }
    }
    for (int j = 0; j < filters; j++) {
      grads[bias + j] = (float) biasSum[j];
    }
    dzN.put(0, dz, 0, n);
    NativeBlas.gemm(true, false, kkc, filters, m, 1f, colsN, dzN, 0f, gradWeightN);
    if (gIn != null) {
      NativeBlas.gemm(false, true, m, kkc, filters, 1f, dzN, weightN, 0f, dColsN);
      dColsN.get(0, cols, 0, m * kkc);
      col2im(gIn, rows);
    }
  }
}
