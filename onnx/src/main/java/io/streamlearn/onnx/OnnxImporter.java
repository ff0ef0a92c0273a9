package io.streamlearn.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.learn.Activation;
import io.streamlearn.learn.LayerSpec;
import io.streamlearn.learn.Padding;
import io.streamlearn.learn.WeightInit;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ONNX model into a streamlearn network ({@link OnnxImport}). The graph must be a chain
 * from one input {@code [N, F]} (or {@code [N, 1, H, W]}, an image of one channel) to one output
 * through the supported operators: {@code Gemm} (any {@code alpha}, {@code beta},
 * {@code transB}; {@code transA} 0), {@code MatMul} with an optional {@code Add} of a bias,
 * {@code Relu}, {@code LeakyRelu} (alpha 0.01, the engine's), {@code Tanh}, {@code Sigmoid},
 * {@code Softmax} (over the last axis), {@code Conv} (square kernel, equal strides, no dilation or
 * groups, valid or same padding), {@code MaxPool} and {@code AveragePool} (window k, stride k, no
 * padding), {@code BatchNormalization} (inference mode; folded into a preceding linear Gemm or Conv, as
 * {@code Conv > BatchNormalization > Relu} comes, else a batchnorm layer), {@code Flatten} (axis 1), {@code Reshape}
 * (of the input to an image, or of an image to a vector), {@code Transpose} (NHWC to NCHW after
 * that reshape), {@code Sub} and {@code Mul} by constants on the input (a scaler), and
 * {@code Identity}, {@code Dropout}, {@code Constant} and {@code Cast} of constants, which carry
 * no computation. Anything else is refused with an {@link IllegalArgumentException} naming the
 * operator and the node.
 *
 * <p>Weights are imported unchanged in the engine's layouts: a Gemm's {@code B} (transposed when
 * {@code transB} is 1, as PyTorch's Linear writes it, and scaled by {@code alpha}) becomes
 * {@code layers.<i>.weight [in, out]}; Conv weights are OIHW already; a PyTorch CNN's flatten is
 * CHW, as the engine's, so the dense weights after it need no permutation.
 */
public final class OnnxImporter {
  /** Metadata key under which the file's producer ({@code name version}) is kept. */
  public static final String PRODUCER = "producer";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OnnxImporter() {}

  /**
   * The network in an ONNX file's bytes.
   *
   * @throws IllegalArgumentException when the file cannot be read, the graph is not a chain of
   *     supported operators (naming the operator and node), or a tensor does not fit its layer
   */
  public static OnnxImport read(byte[] onnx) {
    Onnx.Model model = OnnxCodec.decode(onnx);
    Map<String, String> metadata = new LinkedHashMap<>(model.metadata());
    metadata.put(PRODUCER, (model.producerName() + " " + model.producerVersion()).strip());
    return new Walk(model).run(metadata);
  }

  /** One pass over the nodes, keeping the chain's current value and its shape. */
  private static final class Walk {
    private final Onnx.Model model;
    private final Map<String, Onnx.Tensor> constants = new HashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final List<LayerSpec> layers = new ArrayList<>();
    private final List<NamedTensor> tensors = new ArrayList<>();
    private final int features;
    private String current;
    // NCHW shape while the value is an image, else null and the value is [N, width]
    private int[] chw;
    private int width;
    // the value the last dense or conv produced: an activation applies only right after it
    private String weightedOutput;
    private int pendingMatMul = -1;
    private int[] pendingReshape;
    private float[] offset;
    private float[] scale;

    Walk(Onnx.Model model) {
      this.model = model;
      model.graph().initializers().forEach(t -> constants.put(t.name(), t));
      List<Onnx.ValueInfo> inputs = model.graph().inputs().stream()
          .filter(v -> !constants.containsKey(v.name())).toList();
      if (inputs.size() != 1 || model.graph().outputs().size() != 1) {
        throw new IllegalArgumentException("the graph must have one input and one output, found inputs "
            + inputs.stream().map(Onnx.ValueInfo::name).toList() + " and outputs "
            + model.graph().outputs().stream().map(Onnx.ValueInfo::name).toList());
      }
      Onnx.ValueInfo in = inputs.get(0);
      current = in.name();
      List<Object> dims = in.dims();
      if (dims.size() == 2 && dims.get(1) instanceof Long f) {
        width = Math.toIntExact(f);
      } else if (dims.size() == 4 && dims.get(1) instanceof Long c && dims.get(2) instanceof Long h
          && dims.get(3) instanceof Long w) {
        if (c != 1) {
          throw new IllegalArgumentException("input " + in.name() + " is an NCHW image of " + c + " channels; the engine"
              + " reads a flat event channels-last, so only one channel (or a flat input reshaped in the graph) imports");
        }
        layers.add(new LayerSpec.Input(Math.toIntExact(h), Math.toIntExact(w), 1));
        chw = new int[] {1, Math.toIntExact(h), Math.toIntExact(w)};
        width = chw[1] * chw[2];
      } else {
        throw new IllegalArgumentException("input " + in.name() + " has shape " + dims + "; supported are [N, features]"
            + " and [N, 1, height, width]");
      }
      features = width;
    }

    OnnxImport run(Map<String, String> metadata) {
      for (Onnx.Node node : model.graph().nodes()) {
        step(node);
      }
      if (pendingReshape != null) {
        throw new IllegalArgumentException("the graph ends in a Reshape of its input to " + Arrays.toString(pendingReshape));
      }
      String out = resolve(model.graph().outputs().get(0).name());
      if (!out.equals(current)) {
        throw new IllegalArgumentException("the graph output " + out + " is not the end of the chain of layers ("
            + current + ")");
      }
      if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof LayerSpec.Dense last)) {
        throw new IllegalArgumentException("the network must end in a dense layer (Gemm or MatMul), found "
            + LayerTexts.text(layers));
      }
      Preprocessing p = Preprocessing.identity();
      if (offset != null || scale != null) {
        p = Preprocessing.scaling(metadata.getOrDefault("preprocessing", "standard"),
            offset == null ? new float[features] : offset, scale == null ? ones(features) : scale);
      }
      return new OnnxImport(LayerTexts.text(layers), signature(last, metadata), p, tensors, metadata);
    }

    private Signature signature(LayerSpec.Dense last, Map<String, String> meta) {
      int outputs = last.units();
      if (meta.containsKey("task") && meta.containsKey("loss")) {
        List<String> classes = List.of();
        try {
          if (meta.containsKey("classNames")) {
            classes = JSON.readValue(meta.get("classNames"), new TypeReference<List<String>>() { });
          }
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException("metadata classNames is not a JSON array of names: "
              + meta.get("classNames"), e);
        }
        return new Signature(features, Signature.Task.valueOf(meta.get("task")), outputs, classes, meta.get("loss"));
      }
      return switch (last.activation()) {
        case SOFTMAX -> new Signature(features, Signature.Task.CLASSIFICATION, outputs, List.of(),
            "SOFTMAX_CROSS_ENTROPY");
        case SIGMOID -> new Signature(features, Signature.Task.CLASSIFICATION, outputs, List.of(),
            "BINARY_CROSS_ENTROPY");
        default -> new Signature(features, Signature.Task.REGRESSION, outputs, List.of(), "MSE");
      };
    }

    private String resolve(String name) {
      String n = name;
      while (aliases.containsKey(n)) {
        n = aliases.get(n);
      }
      return n;
    }

    private IllegalArgumentException refuse(Onnx.Node node, String why) {
      return new IllegalArgumentException("cannot import node '" + node.name() + "' (" + node.opType() + "): " + why);
    }

    private Onnx.Tensor constant(Onnx.Node node, int input) {
      if (node.inputs().size() <= input || node.inputs().get(input).isEmpty()) {
        return null;
      }
      Onnx.Tensor t = constants.get(resolve(node.inputs().get(input)));
      if (t == null) {
        throw refuse(node, "input " + input + " (" + node.inputs().get(input) + ") must be a constant");
      }
      return t;
    }

    /** Checks the node's first input is the chain's current value. */
    private void onChain(Onnx.Node node) {
      if (node.inputs().isEmpty() || !resolve(node.inputs().get(0)).equals(current)) {
        throw refuse(node, "its input " + (node.inputs().isEmpty() ? "(none)" : node.inputs().get(0))
            + " is not the previous layer's output " + current + " (only a chain of layers imports)");
      }
      if (pendingReshape != null && !node.opType().equals("Transpose")) {
        settleReshape(node);
      }
    }

    private void advance(Onnx.Node node) {
      current = node.outputs().get(0);
    }

    private void step(Onnx.Node node) {
      if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
        throw refuse(node, "operator domain " + node.domain() + " is not supported (only the default ONNX domain)");
      }
      if (pendingMatMul >= 0 && !node.opType().equals("Add")) {
        pendingMatMul = -1; // a MatMul without a bias: the zero bias stays
      }
      switch (node.opType()) {
        case "Constant" -> {
          Onnx.Attribute value = node.attribute("value");
          Onnx.Attribute ints = node.attribute("value_ints");
          Onnx.Attribute f = node.attribute("value_float");
          if (value != null && value.t() != null) {
            Onnx.Tensor t = value.t();
            constants.put(node.outputs().get(0), new Onnx.Tensor(node.outputs().get(0), t.dims(), t.dataType(),
                t.floats(), t.longs()));
          } else if (ints != null) {
            constants.put(node.outputs().get(0), Onnx.Tensor.longs(node.outputs().get(0), ints.ints()));
          } else if (f != null) {
            constants.put(node.outputs().get(0), Onnx.Tensor.floats(node.outputs().get(0), new long[0],
                new float[] {f.f()}));
          } else {
            throw refuse(node, "only tensor, value_ints and value_float constants are supported");
          }
        }
        case "Identity", "Dropout" -> {
          if (constants.containsKey(resolve(node.inputs().get(0)))) {
            constants.put(node.outputs().get(0), constants.get(resolve(node.inputs().get(0))));
          } else {
            aliases.put(node.outputs().get(0), resolve(node.inputs().get(0)));
          }
        }
        case "Cast" -> {
          Onnx.Tensor t = constants.get(resolve(node.inputs().get(0)));
          long to = node.intAttribute("to", 0);
          if (t != null && to == Onnx.FLOAT && t.dataType() != Onnx.INT64) {
            constants.put(node.outputs().get(0), Onnx.Tensor.floats(node.outputs().get(0), t.dims(), t.floats()));
          } else if (t == null && to == Onnx.FLOAT) {
            onChain(node);
            aliases.put(node.outputs().get(0), current); // the chain is float already
          } else {
            throw refuse(node, "only a Cast to float (of a float constant or of the float chain) is supported");
          }
        }
        case "Sub", "Mul" -> scaler(node);
        case "Gemm" -> gemm(node);
        case "MatMul" -> matMul(node);
        case "Add" -> add(node);
        case "Relu" -> activation(node, Activation.RELU);
        case "Tanh" -> activation(node, Activation.TANH);
        case "Sigmoid" -> activation(node, Activation.SIGMOID);
        case "LeakyRelu" -> {
          float alpha = node.floatAttribute("alpha", 0.01f);
          if (Math.abs(alpha - Activation.LEAKY_SLOPE) > 1e-6) {
            throw refuse(node, "LeakyRelu alpha " + alpha + " is not the engine's slope " + Activation.LEAKY_SLOPE);
          }
          activation(node, Activation.LEAKY_RELU);
        }
        case "Softmax" -> {
          long dflt = model.opsets().getOrDefault("", 13L) >= 13 ? -1 : 1;
          long axis = node.intAttribute("axis", dflt);
          if (chw != null || (axis != 1 && axis != -1)) {
            throw refuse(node, "only a softmax over the features of [N, features] imports, found axis " + axis);
          }
          activation(node, Activation.SOFTMAX);
        }
        case "Conv" -> conv(node);
        case "MaxPool", "AveragePool" -> pool(node);
        case "BatchNormalization" -> batchNorm(node);
        case "Flatten" -> {
          onChain(node);
          if (node.intAttribute("axis", 1) != 1) {
            throw refuse(node, "only Flatten axis 1 is supported");
          }
          flatten();
          advance(node);
        }
        case "Reshape" -> reshape(node);
        case "Transpose" -> transpose(node);
        default -> throw refuse(node, "unsupported operator " + node.opType() + " (supported: Gemm, MatMul, Add, Relu,"
            + " LeakyRelu, Tanh, Sigmoid, Softmax, Conv, MaxPool, AveragePool, BatchNormalization, Flatten, Reshape,"
            + " Transpose, Identity, Dropout, Constant, Cast, and Sub/Mul by constants on the input)");
      }
    }

    private void flatten() {
      if (chw != null) {
        layers.add(new LayerSpec.Flatten());
        width = chw[0] * chw[1] * chw[2];
        chw = null;
      }
    }

    private void scaler(Onnx.Node node) {
      onChain(node);
      boolean atInput = layers.stream().allMatch(l -> l instanceof LayerSpec.Input) && chw == null;
      Onnx.Tensor t = constant(node, 1);
      if (!atInput || t.floats().length != features || (node.opType().equals("Sub") && (offset != null || scale != null))
          || (node.opType().equals("Mul") && scale != null)) {
        throw refuse(node, "Sub and Mul import only as a scaler (x - offset) * scale of " + features
            + " constants on the input, before any layer");
      }
      if (node.opType().equals("Sub")) {
        offset = t.floats();
      } else {
        scale = t.floats();
      }
      advance(node);
    }

    private void addLayer(LayerSpec layer, Onnx.Node node, float[] w, int[] wShape, float[] b) {
      int i = layers.size();
      layers.add(layer);
      tensors.add(new NamedTensor("layers." + i + ".weight", wShape, w));
      tensors.add(new NamedTensor("layers." + i + ".bias", new int[] {b.length}, b));
      advance(node);
      weightedOutput = current;
    }

    private void gemm(Onnx.Node node) {
      onChain(node);
      if (node.intAttribute("transA", 0) != 0) {
        throw refuse(node, "transA must be 0");
      }
      flatten();
      Onnx.Tensor bT = constant(node, 1);
      long[] d = bT.dims();
      if (d.length != 2) {
        throw refuse(node, "B must be a matrix, found shape " + Arrays.toString(d));
      }
      boolean transB = node.intAttribute("transB", 0) != 0;
      int in = Math.toIntExact(transB ? d[1] : d[0]);
      int out = Math.toIntExact(transB ? d[0] : d[1]);
      if (in != width) {
        throw refuse(node, "B has " + in + " inputs, the previous layer gives " + width);
      }
      float alpha = node.floatAttribute("alpha", 1f);
      float beta = node.floatAttribute("beta", 1f);
      float[] src = bT.floats();
      float[] w = new float[in * out];
      for (int r = 0; r < in; r++) {
        for (int c = 0; c < out; c++) {
          w[r * out + c] = alpha * (transB ? src[c * in + r] : src[r * out + c]);
        }
      }
      float[] b = new float[out];
      Onnx.Tensor cT = constant(node, 2);
      if (cT != null) {
        float[] cv = cT.floats();
        if (cv.length != out && cv.length != 1) {
          throw refuse(node, "C has " + cv.length + " values, expected " + out + " or 1");
        }
        for (int c = 0; c < out; c++) {
          b[c] = beta * cv[cv.length == 1 ? 0 : c];
        }
      }
      addLayer(new LayerSpec.Dense(out, Activation.LINEAR), node, w, new int[] {in, out}, b);
      width = out;
    }

    private void matMul(Onnx.Node node) {
      onChain(node);
      flatten();
      Onnx.Tensor bT = constant(node, 1);
      long[] d = bT.dims();
      if (d.length != 2 || d[0] != width) {
        throw refuse(node, "B must be a [" + width + ", out] matrix, found " + Arrays.toString(d));
      }
      int out = Math.toIntExact(d[1]);
      addLayer(new LayerSpec.Dense(out, Activation.LINEAR), node, bT.floats(), new int[] {width, out}, new float[out]);
      width = out;
      pendingMatMul = layers.size() - 1;
    }

    private void add(Onnx.Node node) {
      onChain(node);
      if (pendingMatMul < 0) {
        throw refuse(node, "Add imports only as the bias right after a MatMul");
      }
      float[] b = constant(node, 1).floats();
      if (b.length != width) {
        throw refuse(node, "the bias has " + b.length + " values, the MatMul " + width + " outputs");
      }
      int i = pendingMatMul;
      pendingMatMul = -1;
      tensors.set(tensors.size() - 1, new NamedTensor("layers." + i + ".bias", new int[] {width}, b));
      advance(node);
      weightedOutput = current;
    }

    private void activation(Onnx.Node node, Activation a) {
      onChain(node);
      LayerSpec last = layers.isEmpty() ? null : layers.get(layers.size() - 1);
      if (!current.equals(weightedOutput)) {
        throw refuse(node, "an activation imports only right after a dense or conv layer");
      }
      if (last instanceof LayerSpec.Dense d && d.activation() == Activation.LINEAR) {
        layers.set(layers.size() - 1, new LayerSpec.Dense(d.units(), a));
      } else if (last instanceof LayerSpec.Conv2d c && c.activation() == Activation.LINEAR) {
        layers.set(layers.size() - 1, new LayerSpec.Conv2d(c.filters(), c.kernel(), c.stride(), c.padding(), a, WeightInit.AUTO));
      } else {
        throw refuse(node, "the layer before already has an activation");
      }
      advance(node);
      weightedOutput = null;
    }

    private void conv(Onnx.Node node) {
      onChain(node);
      if (chw == null) {
        throw refuse(node, "Conv needs an image input ([N,1,H,W], or a flat input reshaped to one)");
      }
      Onnx.Tensor wT = constant(node, 1);
      int[] d = wT.intDims();
      if (d.length != 4 || d[2] != d[3] || d[1] != chw[0]) {
        throw refuse(node, "weights must be [filters, " + chw[0] + ", k, k], found " + Arrays.toString(d));
      }
      if (node.intAttribute("group", 1) != 1) {
        throw refuse(node, "grouped convolutions are not supported");
      }
      int k = d[2];
      long[] dil = node.intsAttribute("dilations");
      if (dil != null && Arrays.stream(dil).anyMatch(v -> v != 1)) {
        throw refuse(node, "dilations " + Arrays.toString(dil) + " are not supported");
      }
      long[] strides = node.intsAttribute("strides");
      int stride = strides == null ? 1 : Math.toIntExact(strides[0]);
      if (strides != null && (strides.length != 2 || strides[1] != strides[0])) {
        throw refuse(node, "strides must be equal, found " + Arrays.toString(strides));
      }
      Onnx.Attribute autoPad = node.attribute("auto_pad");
      String auto = autoPad == null ? "NOTSET" : autoPad.s();
      long[] pads = node.intsAttribute("pads");
      boolean same;
      int[] sameH = samePads(chw[1], k, stride);
      int[] sameW = samePads(chw[2], k, stride);
      if (auto.equals("SAME_UPPER")) {
        same = true;
      } else if (auto.equals("VALID") || (auto.equals("NOTSET") && (pads == null || Arrays.stream(pads).allMatch(p -> p == 0)))) {
        same = false;
      } else if (auto.equals("NOTSET") && pads.length == 4 && pads[0] == sameH[0] && pads[2] == sameH[1]
          && pads[1] == sameW[0] && pads[3] == sameW[1]) {
        same = true;
      } else {
        throw refuse(node, "padding " + auto + " " + Arrays.toString(pads) + " is neither valid nor same (pads "
            + Arrays.toString(new int[] {sameH[0], sameW[0], sameH[1], sameW[1]}) + " here)");
      }
      float[] b = new float[d[0]];
      Onnx.Tensor bT = constant(node, 2);
      if (bT != null) {
        b = bT.floats();
      }
      addLayer(new LayerSpec.Conv2d(d[0], k, stride, same ? Padding.SAME : Padding.VALID, Activation.LINEAR,
          WeightInit.AUTO), node, wT.floats(), d, b);
      int oh = same ? (chw[1] + stride - 1) / stride : (chw[1] - k) / stride + 1;
      int ow = same ? (chw[2] + stride - 1) / stride : (chw[2] - k) / stride + 1;
      chw = new int[] {d[0], oh, ow};
    }

    private static int[] samePads(int size, int k, int stride) {
      int out = (size + stride - 1) / stride;
      int total = Math.max((out - 1) * stride + k - size, 0);
      return new int[] {total / 2, total - total / 2};
    }

    private void pool(Onnx.Node node) {
      onChain(node);
      if (chw == null) {
        throw refuse(node, "pooling needs an image");
      }
      long[] kernel = node.intsAttribute("kernel_shape");
      long[] strides = node.intsAttribute("strides");
      long[] pads = node.intsAttribute("pads");
      if (kernel == null || kernel.length != 2 || kernel[0] != kernel[1]) {
        throw refuse(node, "the window must be square, found " + Arrays.toString(kernel));
      }
      int k = Math.toIntExact(kernel[0]);
      boolean strideK = strides == null ? k == 1 : strides.length == 2 && strides[0] == k && strides[1] == k;
      Onnx.Attribute autoPad = node.attribute("auto_pad");
      if (!strideK || (pads != null && Arrays.stream(pads).anyMatch(p -> p != 0)) || node.intAttribute("ceil_mode", 0) != 0
          || (autoPad != null && !autoPad.s().equals("NOTSET") && !autoPad.s().equals("VALID"))) {
        throw refuse(node, "only a window k with stride k and no padding imports (maxpool(k), avgpool(k))");
      }
      layers.add(node.opType().equals("MaxPool") ? new LayerSpec.MaxPool(k) : new LayerSpec.AvgPool(k));
      chw = new int[] {chw[0], chw[1] / k, chw[2] / k};
      advance(node);
    }

    private void batchNorm(Onnx.Node node) {
      onChain(node);
      if (node.intAttribute("training_mode", 0) != 0) {
        throw refuse(node, "training mode is not an inference graph");
      }
      int n = chw == null ? width : chw[0];
      int i = layers.size();
      String[] parts = {"gamma", "beta", "runningMean", "runningVar"};
      float[][] values = new float[4][];
      for (int k = 0; k < 4; k++) {
        values[k] = constant(node, k + 1).floats();
        if (values[k].length != n) {
          throw refuse(node, parts[k] + " has " + values[k].length + " values, expected " + n);
        }
      }
      double epsilon = round(node.floatAttribute("epsilon", 1e-5f));
      LayerSpec last = layers.isEmpty() ? null : layers.get(i - 1);
      boolean linear = last instanceof LayerSpec.Dense d && d.activation() == Activation.LINEAR
          || last instanceof LayerSpec.Conv2d c && c.activation() == Activation.LINEAR;
      if (linear && current.equals(weightedOutput)) {
        // right after a linear dense or conv (as Conv > BatchNormalization > Relu): fold it in, so the
        // activation that follows belongs to that layer, as the engine's layers have it
        foldIntoLast(values, epsilon, n, last instanceof LayerSpec.Dense);
        advance(node);
        weightedOutput = current;
        return;
      }
      for (int k = 0; k < 4; k++) {
        tensors.add(new NamedTensor("layers." + i + "." + parts[k], new int[] {n}, values[k]));
      }
      // ONNX's momentum weighs the running value, PyTorch's (the engine's) the batch statistic
      double momentum = java.math.BigDecimal.ONE.subtract(
          new java.math.BigDecimal(Float.toString(node.floatAttribute("momentum", 0.9f)))).doubleValue();
      layers.add(new LayerSpec.BatchNorm(momentum, epsilon));
      advance(node);
      weightedOutput = null;
    }

    /** Folds {@code (z - mean) gamma / sqrt(var + eps) + beta} into the last layer's weight and bias. */
    private void foldIntoLast(float[][] bn, double epsilon, int n, boolean dense) {
      NamedTensor wT = tensors.get(tensors.size() - 2);
      NamedTensor bT = tensors.get(tensors.size() - 1);
      float[] w = wT.data();
      float[] b = bT.data();
      int per = w.length / n;
      for (int o = 0; o < n; o++) {
        double s = bn[0][o] / Math.sqrt(bn[3][o] + epsilon);
        for (int k = 0; k < per; k++) {
          int at = dense ? k * n + o : o * per + k; // dense [in, out], conv OIHW
          w[at] = (float) (w[at] * s);
        }
        b[o] = (float) ((b[o] - (double) bn[2][o]) * s + bn[1][o]);
      }
      tensors.set(tensors.size() - 2, new NamedTensor(wT.name(), wT.shape(), w));
      tensors.set(tensors.size() - 1, new NamedTensor(bT.name(), bT.shape(), b));
    }

    /** A float attribute as the decimal it was written as (1e-5f widens to 9.99999974738e-6). */
    private static double round(float f) {
      return Double.parseDouble(Float.toString(f));
    }

    private void reshape(Onnx.Node node) {
      onChain(node);
      long[] shape = constant(node, 1).longs();
      boolean atInput = layers.isEmpty() && chw == null;
      if (atInput && shape.length == 4 && shape[1] > 0 && shape[2] > 0 && shape[3] > 0
          && shape[1] * shape[2] * shape[3] == width) {
        // [N, h, w, c] when a Transpose to NCHW follows, else [N, 1, h, w]: the next node decides
        pendingReshape = new int[] {(int) shape[1], (int) shape[2], (int) shape[3]};
        advance(node);
        return;
      }
      int size = chw == null ? width : chw[0] * chw[1] * chw[2];
      if (shape.length == 2 && (shape[1] == -1 || shape[1] == size)) {
        flatten();
        advance(node);
        return;
      }
      throw refuse(node, "only a Reshape of the input to an image, or of an image to [N, -1], imports; found "
          + Arrays.toString(shape));
    }

    /** A Reshape of the input not followed by Transpose: an NCHW image, which imports with one channel only. */
    private void settleReshape(Onnx.Node node) {
      int[] s = pendingReshape;
      pendingReshape = null;
      if (s[0] != 1) {
        throw refuse(node, "the input is reshaped to NCHW [N," + s[0] + "," + s[1] + "," + s[2] + "]; the engine reads a"
            + " flat event channels-last, so reshape to [N,h,w,c] and Transpose perm [0,3,1,2], or use one channel");
      }
      layers.add(new LayerSpec.Input(s[1], s[2], 1));
      chw = new int[] {1, s[1], s[2]};
    }

    private void transpose(Onnx.Node node) {
      long[] perm = node.intsAttribute("perm");
      int[] nhwc = pendingReshape;
      pendingReshape = null;
      onChain(node);
      if (nhwc == null || !Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
        throw refuse(node, "only Transpose perm [0,3,1,2] right after a Reshape of the input to [N,h,w,c] imports");
      }
      layers.add(new LayerSpec.Input(nhwc[0], nhwc[1], nhwc[2]));
      chw = new int[] {nhwc[2], nhwc[0], nhwc[1]};
      advance(node);
    }

    private static float[] ones(int n) {
      float[] v = new float[n];
      Arrays.fill(v, 1f);
      return v;
    }
  }
}
