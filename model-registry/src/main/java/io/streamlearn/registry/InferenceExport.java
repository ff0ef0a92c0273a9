package io.streamlearn.registry;

import io.streamlearn.tensor.Float16;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimized copy of a version for serving. It carries no optimizer state (no version does: it
 * lives in the trainer's checkpoint); the frozen scaler {@code x' = (x - offset) * scale} is folded
 * into the first dense layer, as a graph optimizer folds batch norm, so serving skips the scaling
 * pass; and, optionally, every tensor is stored as float16, halving its size.
 *
 * <p>Folding: with the first dense layer {@code y = x' W + b} ({@code layers.<i>.weight} of shape
 * {@code [in, out]} row-major, {@code layers.<i>.bias} of shape {@code [out]}), {@code y = x W' +
 * b'} with {@code W' = diag(scale) W} and {@code b' = b - (offset * scale) W}; the sums are taken in
 * double precision. Only dropout layers (identity at inference) may come before that layer.
 *
 * <p>The copy keeps the name, version, lineage and metrics, gets identity preprocessing, a new
 * checksum, and annotations {@value #EXPORTED_FROM} (the source key) and {@value #OPTIMIZATIONS}
 * (comma-separated: {@code foldScaler}, {@code float16}).
 */
public final class InferenceExport {
  /** Annotation naming the source version. */
  public static final String EXPORTED_FROM = "exportedFrom";
  /** Annotation listing the optimizations applied. */
  public static final String OPTIMIZATIONS = "optimizations";

  private InferenceExport() {}

  /**
   * The optimized copy of {@code source}.
   *
   * @param float16 whether to store the tensors as float16
   * @throws IllegalArgumentException when the tensors do not fit the architecture, or a value
   *     is beyond the float16 range
   */
  public static ModelVersion of(ModelVersion source, boolean float16) {
    List<NamedTensor> tensors = new ArrayList<>(source.tensors());
    List<String> applied = new ArrayList<>();
    Preprocessing p = source.preprocessing();
    if (!p.isIdentity()) {
      int layer = firstDenseLayer(source);
      String weightName = "layers." + layer + ".weight";
      String biasName = "layers." + layer + ".bias";
      NamedTensor w = source.tensor(weightName);
      NamedTensor b = source.tensor(biasName);
      int in = source.signature().featureCount();
      int[] ws = w.shape();
      if (ws.length != 2 || ws[0] != in || p.offset().length != in) {
        throw new IllegalArgumentException(source.key() + ": " + weightName + " has shape "
            + java.util.Arrays.toString(ws) + ", preprocessing " + p.offset().length
            + " features; folding needs [" + in + ", out] and " + in);
      }
      int out = ws[1];
      if (b.size() != out) {
        throw new IllegalArgumentException(source.key() + ": " + biasName + " has " + b.size()
            + " values, the weight " + out + " columns");
      }
      float[][] folded = fold(w.data(), b.data(), p.offset(), p.scale(), in, out);
      tensors.replaceAll(t -> t.name().equals(weightName) ? new NamedTensor(weightName, ws, folded[0])
          : t.name().equals(biasName) ? new NamedTensor(biasName, b.shape(), folded[1]) : t);
      applied.add("foldScaler");
    }
    if (float16) {
      for (NamedTensor t : tensors) {
        for (float v : t.data()) {
          if (Math.abs(v) > Float16.MAX_VALUE) {
            throw new IllegalArgumentException(source.key() + ": tensor " + t.name() + " has value " + v
                + ", beyond the float16 range (" + Float16.MAX_VALUE + ")");
          }
        }
      }
      tensors.replaceAll(NamedTensor::toFloat16);
      applied.add("float16");
    }
    Map<String, String> annotations = new LinkedHashMap<>(source.annotations());
    annotations.put(EXPORTED_FROM, source.key());
    annotations.put(OPTIMIZATIONS, String.join(",", applied));
    return source.withContent(tensors, Preprocessing.identity(), annotations);
  }

  /** {@code [W', b']} for {@code W [in, out]} row-major, {@code b [out]}. */
  static float[][] fold(float[] w, float[] b, float[] offset, float[] scale, int in, int out) {
    float[] wf = new float[w.length];
    double[] shift = new double[out];
    for (int r = 0; r < in; r++) {
      double s = scale[r];
      double os = (double) offset[r] * s;
      for (int c = 0; c < out; c++) {
        double wrc = w[r * out + c];
        wf[r * out + c] = (float) (s * wrc);
        shift[c] += os * wrc;
      }
    }
    float[] bf = new float[out];
    for (int c = 0; c < out; c++) {
      bf[c] = (float) (b[c] - shift[c]);
    }
    return new float[][] {wf, bf};
  }

  /** Index of the first layer with weights; only dropouts may precede it, and it must be dense. */
  private static int firstDenseLayer(ModelVersion v) {
    String[] layers = v.architecture().split(">");
    for (int i = 0; i < layers.length; i++) {
      String layer = layers[i].strip();
      if (layer.startsWith("dense")) {
        return i;
      }
      if (!layer.startsWith("dropout")) {
        throw new IllegalArgumentException(v.key() + ": cannot fold the scaler through layer " + i
            + " '" + layer + "' of " + v.architecture());
      }
    }
    throw new IllegalArgumentException(v.key() + ": architecture '" + v.architecture()
        + "' has no dense layer to fold the scaler into");
  }
}
