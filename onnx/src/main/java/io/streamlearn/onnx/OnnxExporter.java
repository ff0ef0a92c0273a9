package io.streamlearn.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.learn.Activation;
import io.streamlearn.learn.LayerSpec;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.Padding;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.Float16;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a model version as a standard ONNX model (opset {@value #OPSET}, IR version
 * {@value #IR_VERSION}) of its inference graph, which ONNX Runtime, Triton or any ONNX consumer
 * runs without streamlearn.
 *
 * <p>The graph takes {@value #INPUT} {@code [N, featureCount]} float32 (the raw features, as the
 * inference service takes them) and gives {@value #OUTPUT} {@code [N, outputs]} float32, the
 * engine's {@code Model.predict} (class probabilities after a softmax). Layers map to operators:
 * dense to {@code Gemm}; activations to {@code Relu}, {@code LeakyRelu} (alpha 0.01),
 * {@code Tanh}, {@code Sigmoid}, {@code Softmax} (axis 1); {@code input(h,w,c)} to {@code
 * Reshape [N,h,w,c]} and {@code Transpose} to NCHW; conv2d to {@code Conv} (explicit pads for
 * {@code same}); pools to {@code MaxPool}/{@code AveragePool}; flatten (explicit or implicit
 * before the first dense after a conv or pool) to {@code Flatten} (axis 1, CHW order). Dropout is
 * stripped.
 *
 * <p>A first {@code embedding(dim)} layer reads the featurized row in its one-hot form ({@code
 * features [N, totalWidth]}: the dense columns, then each sparse field's slots, as the version's
 * {@link FeatureLayout} orders them): a {@code Slice} takes the dense columns (then the scaler's
 * {@code Sub} and {@code Mul}, if any, on those only), and per field a {@code Slice} of its slots
 * and a {@code MatMul} by that field's rows of the table ({@code layers.0.table.<f>}
 * {@code [slots, dim]}) give its vector, the sum of value times row over its entries; a {@code
 * Concat} (axis 1) joins them, dense columns first, so the layers after it see the engine's
 * {@code denseWidth + fields * dim} wide vector. The layout comes from the version's feature
 * pipeline or is given.
 *
 * <p>Optimizations, all in double precision and listed in the metadata key
 * {@code optimizations}: the frozen scaler {@code x' = (x - offset) * scale} is folded into the
 * first layer when it is a dense one (otherwise it stays as {@code Sub} and {@code Mul} nodes on
 * the input); a batchnorm is folded into the preceding dense or conv when that has a linear
 * activation, else into the following dense layer, else kept as a {@code BatchNormalization}
 * node. With {@code float16}, every weight is stored as a float16 initializer followed by a
 * {@code Cast} to float: half the file, computed in float32 (the compute graph stays float32, so
 * every runtime and CPU runs it).
 *
 * <p>The metadata_props carry the version: {@code name}, {@code version}, {@code featureCount},
 * {@code task}, {@code outputCount}, {@code classNames} (JSON array), {@code loss},
 * {@code architecture}, {@code lineage} (JSON), {@code preprocessing} (the scaler's kind),
 * {@code checksum} (of the source tensors) and {@code optimizations}.
 */
public final class OnnxExporter {
  /** The default-domain operator set the graph uses. */
  public static final int OPSET = 17;
  /** The IR version of opset 17. */
  public static final int IR_VERSION = 8;
  /** Name of the graph input. */
  public static final String INPUT = "features";
  /** Name of the graph output. */
  public static final String OUTPUT = "scores";

  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

  private OnnxExporter() {}

  /**
   * What an export writes: the {@code .onnx} bytes and, where the version has a feature pipeline,
   * the JSON sidecar that carries it: the version's frozen pipeline as the registry stores it
   * ({@code FrozenPipeline} JSON: spec, vocabularies, running statistics, hash sizes, class names).
   * ONNX-ML's operators could carry a vocabulary lookup but not the signed hashing, the time parts
   * or the online statistics, so the graph starts at the featurized row (dense columns, then each
   * sparse field's slots one-hot) and the sidecar says how to make that row from a raw record.
   *
   * @param onnx the ONNX model file
   * @param sidecar the feature pipeline as JSON, to write next to the file, if any
   * @param optimizations what was folded or converted, e.g. {@code foldScaler}, {@code float16}
   */
  public record Export(byte[] onnx, Optional<String> sidecar, List<String> optimizations) {
    /** Validates and copies. */
    public Export {
      if (onnx == null || onnx.length == 0) {
        throw new IllegalArgumentException("onnx must hold the model's bytes");
      }
      java.util.Objects.requireNonNull(sidecar, "sidecar");
      optimizations = List.copyOf(optimizations);
    }
  }

  /**
   * The ONNX model of {@code version}.
   *
   * @param float16 store the weights as float16 (each rounded to nearest)
   * @throws IllegalArgumentException when the architecture has a layer ONNX export does not carry,
   *     a tensor is missing or misshapen, or a float16 weight would overflow
   */
  public static Export export(ModelVersion version, boolean float16) {
    return export(version, float16, null);
  }

  /**
   * As {@link #export(ModelVersion, boolean)} with the version's feature layout given, for a
   * version whose layout is not in a feature pipeline (one trained on {@code SparseRows} directly).
   *
   * @param layout the featurized row's layout ({@code totalWidth()} is the signature's feature
   *     count); null to read it from the version's feature pipeline where an embedding needs it
   * @throws IllegalArgumentException as {@link #export(ModelVersion, boolean)}, or when an
   *     embedding's layout is missing, has no sparse field or another width
   */
  public static Export export(ModelVersion version, boolean float16, FeatureLayout layout) {
    int featureCount = version.signature().featureCount();
    List<LayerSpec> layers = NetworkSpec.parse(featureCount, version.architecture()).layers();
    FeatureLayout embedded = null;
    if (layers.get(0) instanceof LayerSpec.Embedding) {
      embedded = layout != null ? layout : layoutOf(version);
      if (embedded.totalWidth() != featureCount || !embedded.hasSparse()) {
        throw new IllegalArgumentException(version.key() + ": '" + version.architecture() + "' starts with an"
            + " embedding, which needs sparse fields and a layout " + featureCount + " wide; the layout is "
            + embedded);
      }
    }
    Map<String, float[]> params = new HashMap<>();
    Map<String, int[]> shapes = new HashMap<>();
    for (NamedTensor t : version.tensors()) {
      params.put(t.name(), t.data());
      shapes.put(t.name(), t.shape());
    }
    List<String> applied = new ArrayList<>();
    Preprocessing p = version.preprocessing();
    GraphBuilder g = new GraphBuilder(version.key(), layers, params, shapes, featureCount, embedded);
    boolean scalerFolded = false;
    if (embedded != null && !p.isIdentity()) {
      // over sparse fields the scaler is the dense columns' only (as the engine's Model.of with a layout)
      if (p.features() != embedded.denseWidth()) {
        throw new IllegalArgumentException(version.key() + ": preprocessing has " + p.features() + " features, the"
            + " layout " + embedded.denseWidth() + " dense columns");
      }
      applied.add("scalerNodes");
    } else if (!p.isIdentity()) {
      scalerFolded = g.foldScaler(p);
      applied.add(scalerFolded ? "foldScaler" : "scalerNodes");
    }
    applied.addAll(g.foldBatchNorms());
    Onnx.Graph graph = g.build(scalerFolded ? Preprocessing.identity() : p, float16);
    if (float16) {
      applied.add("float16");
    }
    Map<String, String> meta = metadata(version, applied);
    Onnx.Model model = new Onnx.Model(IR_VERSION, Map.of("", (long) OPSET), "streamlearn",
        version.lineage().codeVersion(), version.version(),
        "streamlearn model " + version.key() + ": " + version.architecture(), graph, meta);
    // The graph starts at the featurized vector; how to make it travels beside it, never dropped.
    Optional<String> sidecar = version.hasFeaturePipeline() ? Optional.of(version.featurePipeline()) : Optional.empty();
    return new Export(OnnxCodec.encode(model), sidecar, applied);
  }

  /** The layout of the featurized row the version's feature pipeline makes. */
  private static FeatureLayout layoutOf(ModelVersion version) {
    if (!version.hasFeaturePipeline()) {
      throw new IllegalArgumentException(version.key() + ": '" + version.architecture() + "' starts with an embedding"
          + " over sparse fields, and the version has no feature pipeline to say which slots each field has; give the"
          + " layout to OnnxExporter.export(version, float16, layout)");
    }
    try {
      return FrozenPipeline.parse(version.featurePipeline()).layout();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(version.key() + ": cannot read the feature layout from the version's feature"
          + " pipeline: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> metadata(ModelVersion v, List<String> applied) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("name", v.name());
    meta.put("version", Long.toString(v.version()));
    meta.put("featureCount", Integer.toString(v.signature().featureCount()));
    meta.put("task", v.signature().task().name());
    meta.put("outputCount", Integer.toString(v.signature().outputCount()));
    meta.put("loss", v.signature().loss());
    meta.put("architecture", v.architecture());
    meta.put("preprocessing", v.preprocessing().kind());
    meta.put("checksum", v.checksum());
    meta.put("optimizations", String.join(",", applied));
    if (v.hasFeaturePipeline()) {
      meta.put("featurePipeline", "a JSON sidecar (<file>.pipeline.json) holds the frozen feature pipeline that makes"
          + " this graph's input row from a raw record; inputs: " + v.signature().inputs());
    }
    try {
      meta.put("classNames", JSON.writeValueAsString(v.signature().classNames()));
      meta.put("lineage", JSON.writeValueAsString(v.lineage()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the metadata of " + v.key() + " as JSON", e);
    }
    return meta;
  }

  /** Builds the graph of one export; weights are folded in place in {@code params} copies. */
  private static final class GraphBuilder {
    private final String key;
    private final List<LayerSpec> layers;
    private final Map<String, float[]> params;
    private final Map<String, int[]> shapes;
    private final int features;
    // the featurized row's layout when the first layer is an embedding; null otherwise
    private final FeatureLayout embedded;
    private final boolean[] stripped;
    private final List<Onnx.Node> nodes = new ArrayList<>();
    private final List<Onnx.Tensor> inits = new ArrayList<>();
    private String current = INPUT;
    // spatial shape (channels, height, width) while the value is NCHW; null while it is [N, width]
    private int[] chw;
    private int width;

    GraphBuilder(String key, List<LayerSpec> layers, Map<String, float[]> params, Map<String, int[]> shapes,
                 int features, FeatureLayout embedded) {
      this.key = key;
      this.layers = layers;
      this.params = params;
      this.shapes = shapes;
      this.features = features;
      this.embedded = embedded;
      this.stripped = new boolean[layers.size()];
      this.width = features;
    }

    private float[] tensor(int layer, String part, int... expected) {
      String name = "layers." + layer + "." + part;
      float[] data = params.get(name);
      if (data == null) {
        throw new IllegalArgumentException(key + ": layer " + layer + " '" + layers.get(layer).text() + "' has no tensor "
            + name);
      }
      if (expected.length > 0 && !java.util.Arrays.equals(shapes.get(name), expected)) {
        throw new IllegalArgumentException(key + ": tensor " + name + " has shape "
            + java.util.Arrays.toString(shapes.get(name)) + ", layer " + layers.get(layer).text() + " needs "
            + java.util.Arrays.toString(expected));
      }
      return data;
    }

    private int next(int from) {
      for (int i = from; i < layers.size(); i++) {
        if (!(layers.get(i) instanceof LayerSpec.Dropout)) {
          return i;
        }
      }
      return -1;
    }

    private int previous(int from) {
      for (int i = from; i >= 0; i--) {
        if (!(layers.get(i) instanceof LayerSpec.Dropout)) {
          return i;
        }
      }
      return -1;
    }

    /** Folds the scaler into the first layer when it is dense on the raw input; false otherwise. */
    boolean foldScaler(Preprocessing p) {
      if (p.features() != features) {
        throw new IllegalArgumentException(key + ": preprocessing has " + p.features() + " features, the signature "
            + features);
      }
      int first = next(0);
      if (!(layers.get(first) instanceof LayerSpec.Dense dense)) {
        return false;
      }
      int out = dense.units();
      float[] w = tensor(first, "weight", features, out);
      float[] b = tensor(first, "bias", out);
      float[] offset = p.offset();
      float[] scale = p.scale();
      float[] wf = new float[w.length];
      double[] shift = new double[out];
      for (int r = 0; r < features; r++) {
        double s = scale[r];
        double os = offset[r] * s;
        for (int c = 0; c < out; c++) {
          wf[r * out + c] = (float) (s * w[r * out + c]);
          shift[c] += os * w[r * out + c];
        }
      }
      float[] bf = new float[out];
      for (int c = 0; c < out; c++) {
        bf[c] = (float) (b[c] - shift[c]);
      }
      params.put("layers." + first + ".weight", wf);
      params.put("layers." + first + ".bias", bf);
      return true;
    }

    /** Folds each batchnorm it can into a neighbouring dense or conv; names what it did. */
    List<String> foldBatchNorms() {
      List<String> applied = new ArrayList<>();
      for (int i = 0; i < layers.size(); i++) {
        if (!(layers.get(i) instanceof LayerSpec.BatchNorm bn)) {
          continue;
        }
        int before = previous(i - 1);
        int after = next(i + 1);
        LayerSpec prev = before < 0 ? null : layers.get(before);
        if (prev instanceof LayerSpec.Dense d && d.activation() == Activation.LINEAR) {
          foldIntoPreceding(i, bn, before, d.units(), 1);
        } else if (prev instanceof LayerSpec.Conv2d c && c.activation() == Activation.LINEAR) {
          foldIntoPreceding(i, bn, before, c.filters(), -1);
        } else if (after >= 0 && layers.get(after) instanceof LayerSpec.Dense d && bnIsFlat(i)) {
          foldIntoFollowing(i, bn, after, d.units());
        } else {
          continue;
        }
        stripped[i] = true;
        applied.add("foldBatchNorm" + i);
      }
      return applied;
    }

    /** Whether the batchnorm at {@code i} normalizes a flat vector (no conv, pool or input shape before it). */
    private boolean bnIsFlat(int i) {
      boolean flat = true;
      for (int k = 0; k < i; k++) {
        LayerSpec l = layers.get(k);
        if (l instanceof LayerSpec.Input || l instanceof LayerSpec.Conv2d || l instanceof LayerSpec.MaxPool
            || l instanceof LayerSpec.AvgPool) {
          flat = false;
        } else if (l instanceof LayerSpec.Flatten || l instanceof LayerSpec.Dense) {
          flat = true;
        }
      }
      return flat;
    }

    private double[] bnScale(int i, LayerSpec.BatchNorm bn, int n) {
      float[] gamma = tensor(i, "gamma", n);
      float[] var = tensor(i, "runningVar", n);
      double[] s = new double[n];
      for (int j = 0; j < n; j++) {
        s[j] = gamma[j] / Math.sqrt(var[j] + bn.epsilon());
      }
      return s;
    }

    /** {@code y = (z - mean) s + beta} after {@code z = x W + b}: scale W's outputs, shift b. */
    private void foldIntoPreceding(int i, LayerSpec.BatchNorm bn, int layer, int n, int denseFlag) {
      double[] s = bnScale(i, bn, n);
      float[] mean = tensor(i, "runningMean", n);
      float[] beta = tensor(i, "beta", n);
      String wName = "layers." + layer + ".weight";
      float[] w = params.get(wName).clone();
      float[] b = tensor(layer, "bias", n).clone();
      if (denseFlag > 0) {
        int in = w.length / n;
        for (int r = 0; r < in; r++) {
          for (int c = 0; c < n; c++) {
            w[r * n + c] = (float) (w[r * n + c] * s[c]);
          }
        }
      } else {
        int per = w.length / n; // OIHW: each output channel's weights are contiguous
        for (int o = 0; o < n; o++) {
          for (int k = 0; k < per; k++) {
            w[o * per + k] = (float) (w[o * per + k] * s[o]);
          }
        }
      }
      for (int c = 0; c < n; c++) {
        b[c] = (float) ((b[c] - (double) mean[c]) * s[c] + beta[c]);
      }
      params.put(wName, w);
      params.put("layers." + layer + ".bias", b);
    }

    /** {@code y = ((x - mean) s + beta) W + b}: scale W's rows, shift b by {@code (beta - mean s) W}. */
    private void foldIntoFollowing(int i, LayerSpec.BatchNorm bn, int layer, int out) {
      String wName = "layers." + layer + ".weight";
      float[] w = tensor(layer, "weight");
      int in = w.length / out;
      double[] s = bnScale(i, bn, in);
      float[] mean = tensor(i, "runningMean", in);
      float[] beta = tensor(i, "beta", in);
      float[] b = tensor(layer, "bias", out);
      float[] wf = new float[w.length];
      double[] shift = new double[out];
      for (int r = 0; r < in; r++) {
        double t = beta[r] - mean[r] * s[r];
        for (int c = 0; c < out; c++) {
          wf[r * out + c] = (float) (w[r * out + c] * s[r]);
          shift[c] += t * w[r * out + c];
        }
      }
      float[] bf = new float[out];
      for (int c = 0; c < out; c++) {
        bf[c] = (float) (b[c] + shift[c]);
      }
      params.put(wName, wf);
      params.put("layers." + layer + ".bias", bf);
    }

    Onnx.Graph build(Preprocessing scaler, boolean float16) {
      if (!scaler.isIdentity() && embedded == null) {
        String offset = constant("preprocessing.offset", new long[] {features}, scaler.offset());
        String scale = constant("preprocessing.scale", new long[] {features}, scaler.scale());
        current = node("preprocessing.sub", "Sub", List.of(current, offset));
        current = node("preprocessing.mul", "Mul", List.of(current, scale));
      }
      int last = previous(layers.size() - 1);
      for (int i = 0; i < layers.size(); i++) {
        if (stripped[i]) {
          continue;
        }
        LayerSpec layer = layers.get(i);
        String prefix = "layers." + i;
        if (layer instanceof LayerSpec.Embedding e) {
          if (i != 0 || embedded == null) {
            throw new IllegalArgumentException(key + ": an embedding must be the first layer, found it at " + i);
          }
          embedding(e, scaler);
        } else if (layer instanceof LayerSpec.Input in) {
          if (in.height() * in.width() * in.channels() != width || chw != null) {
            throw new IllegalArgumentException(key + ": input(" + in.height() + "," + in.width() + "," + in.channels()
                + ") needs " + (in.height() * in.width() * in.channels()) + " features, the model has " + width);
          }
          String shape = longs(prefix + ".shape", 0, in.height(), in.width(), in.channels());
          current = node(prefix + ".reshape", "Reshape", List.of(current, shape));
          current = node(prefix + ".transpose", "Transpose", List.of(current), Onnx.Attribute.ofInts("perm", 0, 3, 1, 2));
          chw = new int[] {in.channels(), in.height(), in.width()};
        } else if (layer instanceof LayerSpec.Dense d) {
          flatten(prefix + ".flatten");
          String w = weight(prefix + ".weight", tensor(i, "weight", width, d.units()), width, d.units());
          String b = weight(prefix + ".bias", tensor(i, "bias", d.units()), d.units());
          current = node(prefix + ".gemm", "Gemm", List.of(current, w, b));
          width = d.units();
          activation(prefix, d.activation());
        } else if (layer instanceof LayerSpec.Conv2d c) {
          requireSpatial(i);
          int inC = chw[0];
          int h = chw[1];
          int wd = chw[2];
          int k = c.kernel();
          String w = weight(prefix + ".weight", tensor(i, "weight", c.filters(), inC, k, k), c.filters(), inC, k, k);
          String b = weight(prefix + ".bias", tensor(i, "bias", c.filters()), c.filters());
          int[] padH = pads(h, k, c.stride(), c.padding() == Padding.SAME);
          int[] padW = pads(wd, k, c.stride(), c.padding() == Padding.SAME);
          current = node(prefix + ".conv", "Conv", List.of(current, w, b), Onnx.Attribute.ofInts("kernel_shape", k, k),
              Onnx.Attribute.ofInts("strides", c.stride(), c.stride()),
              Onnx.Attribute.ofInts("pads", padH[0], padW[0], padH[1], padW[1]));
          int outH = (h + padH[0] + padH[1] - k) / c.stride() + 1;
          int outW = (wd + padW[0] + padW[1] - k) / c.stride() + 1;
          if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(key + ": layer " + i + " " + c.text() + " leaves no output from " + h + "x"
                + wd);
          }
          chw = new int[] {c.filters(), outH, outW};
          activation(prefix, c.activation());
        } else if (LayerTexts.poolSize(layer) > 0) {
          requireSpatial(i);
          int k = LayerTexts.poolSize(layer);
          boolean max = layer instanceof LayerSpec.MaxPool;
          current = node(prefix + (max ? ".maxpool" : ".avgpool"), max ? "MaxPool" : "AveragePool",
              List.of(current), Onnx.Attribute.ofInts("kernel_shape", k, k), Onnx.Attribute.ofInts("strides", k, k));
          chw = new int[] {chw[0], chw[1] / k, chw[2] / k};
          if (chw[1] < 1 || chw[2] < 1) {
            throw new IllegalArgumentException(key + ": layer " + i + " " + layer.text() + " is larger than its input");
          }
        } else if (layer instanceof LayerSpec.Flatten) {
          flatten(prefix + ".flatten");
        } else if (layer instanceof LayerSpec.BatchNorm bn) {
          int n = chw == null ? width : chw[0];
          List<String> ins = new ArrayList<>(List.of(current));
          for (String part : List.of("gamma", "beta", "runningMean", "runningVar")) {
            ins.add(weight(prefix + "." + part, tensor(i, part, n), n));
          }
          current = node(prefix + ".batchnorm", "BatchNormalization", ins,
              Onnx.Attribute.ofFloat("epsilon", (float) bn.epsilon()),
              Onnx.Attribute.ofFloat("momentum", (float) (1 - bn.momentum())));
        }
        if (i == last && !(layer instanceof LayerSpec.Dense)) {
          throw new IllegalArgumentException(key + ": the last layer must be dense, found " + layer.text());
        }
      }
      // the final value is the graph output: rename it rather than add an Identity node
      Onnx.Node tail = nodes.remove(nodes.size() - 1);
      nodes.add(new Onnx.Node(tail.name(), tail.opType(), tail.domain(), tail.inputs(), List.of(OUTPUT),
          tail.attributes()));
      List<Onnx.Node> all = new ArrayList<>();
      List<Onnx.Tensor> tensors = inits;
      if (float16) {
        tensors = new ArrayList<>();
        for (Onnx.Tensor t : inits) {
          if (t.dataType() != Onnx.FLOAT) {
            tensors.add(t);
            continue;
          }
          float[] v = t.floats();
          for (int j = 0; j < v.length; j++) {
            if (Math.abs(v[j]) > Float16.MAX_VALUE) {
              throw new IllegalArgumentException(key + ": tensor " + t.name() + " has value " + v[j]
                  + ", beyond the float16 range (" + Float16.MAX_VALUE + ")");
            }
            v[j] = Float16.round(v[j]);
          }
          tensors.add(Onnx.Tensor.float16(t.name() + ".fp16", t.dims(), v));
          all.add(new Onnx.Node(t.name() + ".cast", "Cast", List.of(t.name() + ".fp16"), List.of(t.name()),
              Onnx.Attribute.ofInt("to", Onnx.FLOAT)));
        }
      }
      all.addAll(nodes);
      return new Onnx.Graph("streamlearn", all, tensors,
          List.of(new Onnx.ValueInfo(INPUT, Onnx.FLOAT, List.of("N", (long) features))),
          List.of(new Onnx.ValueInfo(OUTPUT, Onnx.FLOAT, List.of("N", (long) width))));
    }

    /**
     * The embedding's vector from the one-hot row: the dense columns (scaled there, as the engine
     * scales only them), then per field its slots times its rows of the table, concatenated.
     */
    private void embedding(LayerSpec.Embedding e, Preprocessing scaler) {
      int dim = e.dim();
      int dense = embedded.denseWidth();
      float[] table = tensor(0, "weight", embedded.sparseWidth(), dim);
      List<String> parts = new ArrayList<>();
      if (dense > 0) {
        String part = slice("layers.0.dense", 0, dense);
        if (!scaler.isIdentity()) {
          String offset = constant("preprocessing.offset", new long[] {dense}, scaler.offset());
          String scale = constant("preprocessing.scale", new long[] {dense}, scaler.scale());
          part = node("preprocessing.sub", "Sub", List.of(part, offset));
          part = node("preprocessing.mul", "Mul", List.of(part, scale));
        }
        parts.add(part);
      }
      List<FeatureLayout.SparseField> fields = embedded.sparseFields();
      for (int f = 0; f < fields.size(); f++) {
        int slots = fields.get(f).size();
        int from = embedded.sparseOffset(f);
        float[] rows = java.util.Arrays.copyOfRange(table, from * dim, (from + slots) * dim);
        String oneHot = slice("layers.0.field" + f, dense + from, dense + from + slots);
        String w = weight("layers.0.table." + f, rows, slots, dim);
        parts.add(node("layers.0.matmul." + f, "MatMul", List.of(oneHot, w)));
      }
      current = parts.size() == 1 ? parts.get(0)
          : node("layers.0.concat", "Concat", parts, Onnx.Attribute.ofInt("axis", 1));
      width = dense + fields.size() * dim;
    }

    /** Columns {@code [from, to)} of the graph input. */
    private String slice(String name, long from, long to) {
      String starts = longs(name + ".starts", from);
      String ends = longs(name + ".ends", to);
      String axes = longs(name + ".axes", 1);
      return node(name + ".slice", "Slice", List.of(INPUT, starts, ends, axes));
    }

    private void requireSpatial(int i) {
      if (chw == null) {
        throw new IllegalArgumentException(key + ": layer " + i + " " + layers.get(i).text()
            + " needs an image: start the network with input(h,w,c)");
      }
    }

    /** Begin and end padding of one axis: none for valid, as TensorFlow's SAME (extra at the end) for same. */
    private static int[] pads(int size, int k, int stride, boolean same) {
      if (!same) {
        return new int[] {0, 0};
      }
      int out = (size + stride - 1) / stride;
      int total = Math.max((out - 1) * stride + k - size, 0);
      return new int[] {total / 2, total - total / 2};
    }

    private void flatten(String name) {
      if (chw == null) {
        return;
      }
      current = node(name, "Flatten", List.of(current), Onnx.Attribute.ofInt("axis", 1));
      width = chw[0] * chw[1] * chw[2];
      chw = null;
    }

    private void activation(String prefix, Activation a) {
      switch (a) {
        case LINEAR -> { }
        case RELU -> current = node(prefix + ".relu", "Relu", List.of(current));
        case LEAKY_RELU -> current = node(prefix + ".leakyrelu", "LeakyRelu", List.of(current),
            Onnx.Attribute.ofFloat("alpha", (float) Activation.LEAKY_SLOPE));
        case TANH -> current = node(prefix + ".tanh", "Tanh", List.of(current));
        case SIGMOID -> current = node(prefix + ".sigmoid", "Sigmoid", List.of(current));
        case SOFTMAX -> {
          if (chw != null) {
            throw new IllegalArgumentException(key + ": " + prefix + " has a softmax over an image");
          }
          current = node(prefix + ".softmax", "Softmax", List.of(current), Onnx.Attribute.ofInt("axis", 1));
        }
        default -> throw new IllegalArgumentException(key + ": activation " + a + " has no ONNX operator here");
      }
    }

    private String node(String name, String op, List<String> inputs, Onnx.Attribute... attributes) {
      nodes.add(new Onnx.Node(name, op, inputs, List.of(name), attributes));
      return name;
    }

    private String weight(String name, float[] data, int... dims) {
      long[] d = new long[dims.length];
      for (int k = 0; k < dims.length; k++) {
        d[k] = dims[k];
      }
      return constant(name, d, data);
    }

    private String constant(String name, long[] dims, float[] data) {
      inits.add(Onnx.Tensor.floats(name, dims, data));
      return name;
    }

    private String longs(String name, long... values) {
      inits.add(Onnx.Tensor.longs(name, values));
      return name;
    }
  }
}
