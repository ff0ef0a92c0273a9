package io.streamlearn.onnx;

import io.streamlearn.learn.LayerSpec;
import io.streamlearn.learn.Padding;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Deterministic model versions with random weights (fixed seeds) for any architecture ONNX carries. */
final class Fixtures {
  private Fixtures() {}

  /** A classification version of {@code architecture} over {@code features} inputs, weights from {@code seed}. */
  static ModelVersion version(String architecture, int features, Preprocessing p, long seed) {
    List<NamedTensor> tensors = tensors(architecture, features, seed);
    List<LayerSpec> layers = LayerTexts.layers(architecture);
    LayerSpec last = layers.get(layers.size() - 1);
    int outputs = ((LayerSpec.Dense) last).units();
    boolean classify = ((LayerSpec.Dense) last).activation() == io.streamlearn.learn.Activation.SOFTMAX;
    List<String> classes = new ArrayList<>();
    if (classify) {
      for (int c = 0; c < outputs; c++) {
        classes.add("class" + c);
      }
    }
    Signature signature = new Signature(features, classify ? Signature.Task.CLASSIFICATION
        : Signature.Task.REGRESSION, outputs, classes, classify ? "SOFTMAX_CROSS_ENTROPY" : "MSE");
    return ModelVersion.create("m", 3, 2, Instant.ofEpochMilli(1_700_000_000_000L), architecture, signature, p, tensors,
        new Lineage(List.of(new OffsetRange("streamlearn.labeled", 0, 0, 500)), 1500, 500,
            Map.of("optimizer", "adam"), seed, "0.1.0-test"), Map.of("holdoutAccuracy", 0.75));
  }

  /** A version of {@code architecture} (first layer the embedding) over {@code layout}, weights from {@code seed}. */
  static ModelVersion embeddingVersion(String architecture, FeatureLayout layout, int dim, Preprocessing p, long seed) {
    ModelVersion base = version(architecture, layout.totalWidth(), p, seed);
    Random r = new Random(seed);
    float[] table = new float[layout.sparseWidth() * dim];
    for (int i = 0; i < table.length; i++) {
      table[i] = (float) ((r.nextDouble() * 2 - 1) * 0.5);
    }
    List<NamedTensor> tensors = new ArrayList<>();
    tensors.add(new NamedTensor("layers.0.weight", new int[] {layout.sparseWidth(), dim}, table));
    // the dense layers after the embedding read denseWidth + fields * dim and keep their spec index
    String rest = architecture.substring(architecture.indexOf('>') + 1).trim();
    int inner = layout.denseWidth() + layout.sparseFields().size() * dim;
    for (NamedTensor t : tensors(rest, inner, seed + 1)) {
      String[] parts = t.name().split("\\.");
      int index = Integer.parseInt(parts[1]) + 1;
      tensors.add(new NamedTensor("layers." + index + "." + parts[2], t.shape(), t.data()));
    }
    return base.withContent(tensors, p, Map.of());
  }

  /** A standard scaler of {@code features} features with offsets and scales from {@code seed}. */
  static Preprocessing scaler(int features, long seed) {
    Random r = new Random(seed);
    float[] offset = new float[features];
    float[] scale = new float[features];
    for (int i = 0; i < features; i++) {
      offset[i] = (float) r.nextGaussian() * 2;
      scale[i] = 0.25f + r.nextFloat() * 2;
    }
    return new Preprocessing("standard", offset, scale);
  }

  /** Random rows. */
  static float[] inputs(int rows, int features, long seed) {
    Random r = new Random(seed);
    float[] x = new float[rows * features];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /** Tensors of the agreed names and shapes for every layer of {@code architecture}. */
  static List<NamedTensor> tensors(String architecture, int features, long seed) {
    Random r = new Random(seed);
    List<NamedTensor> out = new ArrayList<>();
    int width = features;
    int[] chw = null;
    List<LayerSpec> layers = LayerTexts.layers(architecture);
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      String p = "layers." + i + ".";
      if (l instanceof LayerSpec.Input in) {
        chw = new int[] {in.channels(), in.height(), in.width()};
      } else if (l instanceof LayerSpec.Dense d) {
        if (chw != null) {
          width = chw[0] * chw[1] * chw[2];
          chw = null;
        }
        out.add(random(p + "weight", r, 1 / Math.sqrt(width), width, d.units()));
        out.add(random(p + "bias", r, 0.1, d.units()));
        width = d.units();
      } else if (l instanceof LayerSpec.Conv2d c) {
        int k = c.kernel();
        out.add(random(p + "weight", r, 1 / Math.sqrt(chw[0] * k * k), c.filters(), chw[0], k, k));
        out.add(random(p + "bias", r, 0.1, c.filters()));
        int h = c.padding() == Padding.SAME ? (chw[1] + c.stride() - 1) / c.stride() : (chw[1] - k) / c.stride() + 1;
        int w = c.padding() == Padding.SAME ? (chw[2] + c.stride() - 1) / c.stride() : (chw[2] - k) / c.stride() + 1;
        chw = new int[] {c.filters(), h, w};
      } else if (LayerTexts.poolSize(l) > 0) {
        chw = new int[] {chw[0], chw[1] / LayerTexts.poolSize(l), chw[2] / LayerTexts.poolSize(l)};
      } else if (l instanceof LayerSpec.Flatten && chw != null) {
        width = chw[0] * chw[1] * chw[2];
        chw = null;
      } else if (l instanceof LayerSpec.BatchNorm) {
        int n = chw == null ? width : chw[0];
        float[] gamma = new float[n];
        float[] beta = new float[n];
        float[] mean = new float[n];
        float[] var = new float[n];
        for (int j = 0; j < n; j++) {
          gamma[j] = 0.5f + r.nextFloat();
          beta[j] = (float) r.nextGaussian() * 0.2f;
          mean[j] = (float) r.nextGaussian() * 0.3f;
          var[j] = 0.2f + r.nextFloat();
        }
        out.add(new NamedTensor(p + "gamma", new int[] {n}, gamma));
        out.add(new NamedTensor(p + "beta", new int[] {n}, beta));
        out.add(new NamedTensor(p + "runningMean", new int[] {n}, mean));
        out.add(new NamedTensor(p + "runningVar", new int[] {n}, var));
      }
    }
    return out;
  }

  private static NamedTensor random(String name, Random r, double scale, int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((r.nextDouble() * 2 - 1) * scale * 1.7);
    }
    return new NamedTensor(name, shape, v);
  }
}
