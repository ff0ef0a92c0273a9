package io.streamlearn.learn;

/**
 * Flattens channels-last images ({@code (y * w + x) * c + ch}) to channels-first vectors
 * ({@code (ch * h + y) * w + x}), the order ONNX's Flatten over NCHW and {@code torch.flatten}
 * give, so that imported dense weights fit. A one-channel image or a vector is copied as it is.
 */
final class FlattenStage implements Stage {

  private final int height;
  private final int width;
  private final int channels;
  private final int size;

  FlattenStage(NetworkSpec.Shape in) {
    this.height = in.height();
    this.width = in.width();
    this.channels = in.image() ? in.channels() : 1;
    this.size = in.size();
  }

  @Override
  public void forward(float[] in, int inOffset, int rows, float[] out) {
    if (channels == 1) {
      System.arraycopy(in, inOffset, out, 0, rows * size);
      return;
    }
    int area = height * width;
    for (int n = 0; n < rows; n++) {
      int base = n * size;
      for (int p = 0; p < area; p++) {
        int src = inOffset + base + p * channels;
        for (int c = 0; c < channels; c++) {
          out[base + c * area + p] = in[src + c];
        }
      }
    }
  }

  @Override
  public void backward(float[] in, int inOffset, float[] out, float[] gOut, int rows, float[] gIn) {
    if (gIn == null) {
      return;
    }
    if (channels == 1) {
      System.arraycopy(gOut, 0, gIn, 0, rows * size);
      return;
    }
    int area = height * width;
    for (int n = 0; n < rows; n++) {
      int base = n * size;
      for (int p = 0; p < area; p++) {
        int dst = base + p * channels;
        for (int c = 0; c < channels; c++) {
          gIn[dst + c] = gOut[base + c * area + p];
        }
      }
    }
  }
}
