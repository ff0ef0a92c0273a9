package io.streamlearn.learn;

/**
 * Max or average pooling over {@code k x k} windows at stride {@code k} of channels-last images; the
 * windows do not overlap, so each input cell gets the gradient of at most one output.
 */
final class PoolStage implements Stage {

  private final boolean max;
  private final int k;
  private final int height;
  private final int width;
  private final int channels;
  private final int outHeight;
  private final int outWidth;
  /** Max pooling's backward pass: per channel, the cell of the window that gets the gradient. */
  private final int[] cellOf;

  PoolStage(boolean max, int k, NetworkSpec.Shape in) {
    this.max = max;
    this.k = k;
    this.height = in.height();
    this.width = in.width();
    this.channels = in.channels();
    this.outHeight = height / k;
    this.outWidth = width / k;
    this.cellOf = new int[channels];
  }

  @Override
  public void forward(float[] in, int inOffset, int rows, float[] out) {
    int c = channels;
    float scale = 1f / (k * k);
    for (int n = 0; n < rows; n++) {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          int o = ((n * outHeight + oy) * outWidth + ox) * c;
          int corner = inOffset + ((n * height + oy * k) * width + ox * k) * c;
          // the first cell, then the others: a loop over contiguous channels without a branch
          System.arraycopy(in, corner, out, o, c);
          for (int ky = 0; ky < k; ky++) {
            for (int kx = ky == 0 ? 1 : 0; kx < k; kx++) {
              int src = corner + (ky * width + kx) * c;
              if (max) {
                for (int ch = 0; ch < c; ch++) {
                  out[o + ch] = Math.max(out[o + ch], in[src + ch]);
                }
              } else {
                for (int ch = 0; ch < c; ch++) {
                  out[o + ch] += in[src + ch];
                }
              }
            }
          }
          if (!max) {
            for (int ch = 0; ch < c; ch++) {
              out[o + ch] *= scale;
            }
          }
        }
      }
    }
  }

  @Override
  public void backward(float[] in, int inOffset, float[] out, float[] gOut, int rows, float[] gIn) {
    if (gIn == null) {
      return;
    }
    java.util.Arrays.fill(gIn, 0, rows * height * width * channels, 0f);
    if (max) {
      maxBackward(in, inOffset, out, gOut, rows, gIn);
      return;
    }
    int c = channels;
    float scale = 1f / (k * k);
    for (int n = 0; n < rows; n++) {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          int o = ((n * outHeight + oy) * outWidth + ox) * c;
          int corner = ((n * height + oy * k) * width + ox * k) * c;
          for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
              int cell = corner + (ky * width + kx) * c;
              for (int ch = 0; ch < c; ch++) {
                gIn[cell + ch] = gOut[o + ch] * scale;
              }
            }
          }
        }
      }
    }
  }

  /**
   * Each output's gradient goes to the first cell of its window (row-major) that holds the maximum,
   * as PyTorch picks it, found again from the input and the output rather than remembered by the
   * forward pass, whose loop then vectorises. The cells are visited last to first with selects, not
   * branches: after relu many values tie at zero, which a branch would mispredict.
   */
  private void maxBackward(float[] in, int inOffset, float[] out, float[] gOut, int rows, float[] gIn) {
    int c = channels;
    int[] at = cellOf;
    for (int n = 0; n < rows; n++) {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          int o = ((n * outHeight + oy) * outWidth + ox) * c;
          int corner = ((n * height + oy * k) * width + ox * k) * c;
          for (int ch = 0; ch < c; ch++) {
            at[ch] = corner + ch;
          }
          for (int cell = k * k - 1; cell >= 0; cell--) {
            int base = corner + ((cell / k) * width + cell % k) * c;
            int src = inOffset + base;
            for (int ch = 0; ch < c; ch++) {
              at[ch] = in[src + ch] == out[o + ch] ? base + ch : at[ch];
            }
          }
          for (int ch = 0; ch < c; ch++) {
            gIn[at[ch]] = gOut[o + ch];
          }
        }
      }
    }
  }
}
