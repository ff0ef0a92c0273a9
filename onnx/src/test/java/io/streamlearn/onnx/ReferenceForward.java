package io.streamlearn.onnx;

import io.streamlearn.learn.Activation;
import io.streamlearn.learn.LayerSpec;
import io.streamlearn.learn.Padding;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.tensor.NamedTensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain, slow, double-precision forward pass of the agreed layer semantics, straight from
 * their definitions (HWC input, OIHW conv with TensorFlow-style same padding, floor pools, CHW
 * flatten, inference batch norm). The ONNX graphs of layers the engine on this branch does not
 * build yet are checked against it; on dense networks it is itself checked against the engine.
 */
final class ReferenceForward {
  private ReferenceForward() {}

  /** Outputs of {@code rows} rows of raw features. */
  static float[] predict(ModelVersion v, float[] x, int rows) {
    Map<String, float[]> t = new HashMap<>();
    for (NamedTensor n : v.tensors()) {
      t.put(n.name(), n.data());
    }
    List<LayerSpec> layers = LayerTexts.layers(v.architecture());
    int features = v.signature().featureCount();
    float[] out = null;
    for (int row = 0; row < rows; row++) {
      double[] a = new double[features];
      for (int j = 0; j < features; j++) {
        double value = x[row * features + j];
        if (!v.preprocessing().isIdentity()) {
          value = (value - v.preprocessing().offset()[j]) * v.preprocessing().scale()[j];
        }
        a[j] = value;
      }
      int[] chw = null;
      for (int i = 0; i < layers.size(); i++) {
        LayerSpec l = layers.get(i);
        String p = "layers." + i + ".";
        if (l instanceof LayerSpec.Input in) {
          double[] nchw = new double[a.length];
          int c = in.channels();
          for (int y = 0; y < in.height(); y++) {
            for (int xx = 0; xx < in.width(); xx++) {
              for (int ch = 0; ch < c; ch++) {
                nchw[(ch * in.height() + y) * in.width() + xx] = a[(y * in.width() + xx) * c + ch];
              }
            }
          }
          a = nchw;
          chw = new int[] {c, in.height(), in.width()};
        } else if (l instanceof LayerSpec.Dense d) {
          chw = null;
          float[] w = t.get(p + "weight");
          float[] b = t.get(p + "bias");
          int u = d.units();
          double[] z = new double[u];
          for (int c = 0; c < u; c++) {
            double s = b[c];
            for (int r = 0; r < a.length; r++) {
              s += a[r] * w[r * u + c];
            }
            z[c] = s;
          }
          a = activate(z, d.activation());
        } else if (l instanceof LayerSpec.Conv2d c) {
          int k = c.kernel();
          int s = c.stride();
          int inC = chw[0];
          int h = chw[1];
          int wd = chw[2];
          int oh = c.padding() == Padding.SAME ? (h + s - 1) / s : (h - k) / s + 1;
          int ow = c.padding() == Padding.SAME ? (wd + s - 1) / s : (wd - k) / s + 1;
          int padT = c.padding() == Padding.SAME ? Math.max((oh - 1) * s + k - h, 0) / 2 : 0;
          int padL = c.padding() == Padding.SAME ? Math.max((ow - 1) * s + k - wd, 0) / 2 : 0;
          float[] w = t.get(p + "weight");
          float[] b = t.get(p + "bias");
          double[] z = new double[c.filters() * oh * ow];
          for (int o = 0; o < c.filters(); o++) {
            for (int y = 0; y < oh; y++) {
              for (int xx = 0; xx < ow; xx++) {
                double sum = b[o];
                for (int ic = 0; ic < inC; ic++) {
                  for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                      int iy = y * s + ky - padT;
                      int ix = xx * s + kx - padL;
                      if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                        sum += a[(ic * h + iy) * wd + ix] * w[((o * inC + ic) * k + ky) * k + kx];
                      }
                    }
                  }
                }
                z[(o * oh + y) * ow + xx] = sum;
              }
            }
          }
          a = activate(z, c.activation());
          chw = new int[] {c.filters(), oh, ow};
        } else if (LayerTexts.poolSize(l) > 0) {
          int k = LayerTexts.poolSize(l);
          boolean max = l instanceof LayerSpec.MaxPool;
          int oh = chw[1] / k;
          int ow = chw[2] / k;
          double[] z = new double[chw[0] * oh * ow];
          for (int ch = 0; ch < chw[0]; ch++) {
            for (int y = 0; y < oh; y++) {
              for (int xx = 0; xx < ow; xx++) {
                double acc = max ? Double.NEGATIVE_INFINITY : 0;
                for (int ky = 0; ky < k; ky++) {
                  for (int kx = 0; kx < k; kx++) {
                    double value = a[(ch * chw[1] + y * k + ky) * chw[2] + xx * k + kx];
                    acc = max ? Math.max(acc, value) : acc + value / (k * k);
                  }
                }
                z[(ch * oh + y) * ow + xx] = acc;
              }
            }
          }
          a = z;
          chw = new int[] {chw[0], oh, ow};
        } else if (l instanceof LayerSpec.Flatten) {
          chw = null;
        } else if (l instanceof LayerSpec.BatchNorm bn) {
          int n = chw == null ? a.length : chw[0];
          int per = a.length / n;
          for (int j = 0; j < a.length; j++) {
            int f = j / per;
            a[j] = (a[j] - t.get(p + "runningMean")[f]) / Math.sqrt(t.get(p + "runningVar")[f] + bn.epsilon())
                * t.get(p + "gamma")[f] + t.get(p + "beta")[f];
          }
        }
      }
      if (out == null) {
        out = new float[rows * a.length];
      }
      for (int j = 0; j < a.length; j++) {
        out[row * a.length + j] = (float) a[j];
      }
    }
    return out;
  }

  private static double[] activate(double[] z, Activation act) {
    double[] a = new double[z.length];
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int j = 0; j < z.length; j++) {
      a[j] = switch (act) {
        case RELU -> Math.max(0, z[j]);
        case LEAKY_RELU -> z[j] > 0 ? z[j] : Activation.LEAKY_SLOPE * z[j];
        case TANH -> Math.tanh(z[j]);
        case SIGMOID -> 1 / (1 + Math.exp(-z[j]));
        case SOFTMAX -> Math.exp(z[j] - max);
        case LINEAR -> z[j];
      };
      sum += a[j];
    }
    if (act == Activation.SOFTMAX) {
      for (int j = 0; j < a.length; j++) {
        a[j] /= sum;
      }
    }
    return a;
  }
}
