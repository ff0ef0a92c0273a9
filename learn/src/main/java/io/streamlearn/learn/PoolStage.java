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
  /**
   * Max pooling in training: the input index (within the batch) each output was taken from, the
   * first maximum of its window in row-major order, as PyTorch picks it.
   */
  private final int[] argmax;

  PoolStage(boolean max, int k, NetworkSpec.Shape in, int maxRows, boolean training) {
    this.max = max;
    this.k = k;
    this.height = in.height();
    this.width = in.width();
    this.channels = in.channels();
    this.outHeight = height / k;
    this.outWidth = width / k;
    this.argmax = max && training ? new int[maxRows * outHeight * outWidth * channels] : null;
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
          if (argmax != null) {
            for (int ch = 0; ch < c; ch++) {
              argmax[o + ch] = corner - inOffset + ch;
            }
          }
          for (int ky = 0; ky < k; ky++) {
            for (int kx = ky == 0 ? 1 : 0; kx < k; kx++) {
              int src = corner + (ky * width + kx) * c;
              if (argmax != null) {
                // selects, not branches: after relu half the values tie at zero, which a branch mispredicts
                int cell = src - inOffset;
                for (int ch = 0; ch < c; ch++) {
                  float v = in[src + ch];
                  float m = out[o + ch];
                  boolean larger = v > m;
                  out[o + ch] = larger ? v : m;
                  argmax[o + ch] = larger ? cell + ch : argmax[o + ch];
                }
              } else if (max) {
                for (int ch = 0; ch < c; ch++) {
                  float v = in[src + ch];
                  float m = out[o + ch];
                  out[o + ch] = v > m ? v : m;
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
    int outs = rows * outHeight * outWidth * channels;
    if (max) {
      // windows do not overlap, so no cell gets two gradients
      for (int j = 0; j < outs; j++) {
        gIn[argmax[j]] = gOut[j];
      }
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
}
