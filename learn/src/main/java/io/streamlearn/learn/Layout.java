package io.streamlearn.learn;

import io.streamlearn.tensor.NamedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where each layer's tensors sit in the flat parameter vector, in three parts: every weight matrix
 * (dense and conv2d) first, so that L2 decay is one op over a prefix and the native copy the
 * products read is one block; then the other trained values (biases, batch norm's gamma and beta);
 * then batch norm's running statistics, which the optimizer never sees ({@link #trainable} ends
 * before them) but which travel with the parameters into every model version. Immutable.
 *
 * <p>A conv2d's weights are kept as the {@code [kernel * kernel * inChannels, filters]} matrix its
 * im2col product reads (rows in {@code (ky, kx, c)} order); {@link #toTensors} and
 * {@link #fromTensors} convert from and to the OIHW tensor {@code [filters, inChannels, k, k]}.
 */
final class Layout {

  final NetworkSpec spec;
  /** Per spec layer: the shape it reads and the shape it writes. */
  final NetworkSpec.Shape[] inShape;
  final NetworkSpec.Shape[] outShape;
  /** Per spec layer: values per example in and out. */
  final int[] inWidth;
  final int[] outWidth;
  /** Per spec layer: offset of the weights / bias (batch norm: gamma) in the flat vector, or -1. */
  final int[] weightOffset;
  final int[] biasOffset;
  /** Per batch norm layer: offsets of beta and the running statistics, or -1. */
  final int[] betaOffset;
  final int[] meanOffset;
  final int[] varOffset;
  /** Index (in spec.layers()) of the last dense layer. */
  final int last;
  /** Index of the first layer that computes anything: 1 after an {@code input(h,w,c)}, else 0. */
  final int first;
  final int weightCount;
  /** Length of the trained prefix (weights, biases, gamma, beta): what the optimizer updates. */
  final int trainable;
  final int total;

  Layout(NetworkSpec spec) {
    this.spec = spec;
    List<LayerSpec> layers = spec.layers();
    List<NetworkSpec.Shape> shapes = spec.shapes();
    int n = layers.size();
    inShape = new NetworkSpec.Shape[n];
    outShape = new NetworkSpec.Shape[n];
    inWidth = new int[n];
    outWidth = new int[n];
    weightOffset = new int[n];
    biasOffset = new int[n];
    betaOffset = new int[n];
    meanOffset = new int[n];
    varOffset = new int[n];
    long weights = 0;
    long biases = 0;
    long stats = 0;
    int lastDense = -1;
    for (int i = 0; i < n; i++) {
      LayerSpec layer = layers.get(i);
      NetworkSpec.Shape in = i == 0 ? NetworkSpec.Shape.vector(spec.inputs()) : shapes.get(i - 1);
      if (!in.image() && (layer instanceof LayerSpec.Conv2d || layer instanceof LayerSpec.MaxPool
          || layer instanceof LayerSpec.AvgPool)) {
        // the spec checked that the raw input is a square
        int side = (int) Math.round(Math.sqrt(in.height()));
        in = new NetworkSpec.Shape(side, side, 1, true);
      }
      inShape[i] = in;
      outShape[i] = shapes.get(i);
      inWidth[i] = in.size();
      outWidth[i] = outShape[i].size();
      weightOffset[i] = -1;
      biasOffset[i] = -1;
      betaOffset[i] = -1;
      meanOffset[i] = -1;
      varOffset[i] = -1;
      if (layer instanceof LayerSpec.Dense dense) {
        weightOffset[i] = (int) weights;
        weights += (long) inWidth[i] * dense.units();
        biasOffset[i] = (int) biases;
        biases += dense.units();
        lastDense = i;
      } else if (layer instanceof LayerSpec.Conv2d conv) {
        weightOffset[i] = (int) weights;
        weights += (long) conv.kernel() * conv.kernel() * in.channels() * conv.filters();
        biasOffset[i] = (int) biases;
        biases += conv.filters();
      } else if (layer instanceof LayerSpec.BatchNorm) {
        int features = features(i);
        biasOffset[i] = (int) biases;
        betaOffset[i] = (int) biases + features;
        biases += 2L * features;
        meanOffset[i] = (int) stats;
        varOffset[i] = (int) stats + features;
        stats += 2L * features;
      }
    }
    if (weights + biases + stats > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("network " + spec.text() + " has too many parameters: "
          + (weights + biases + stats));
    }
    for (int i = 0; i < n; i++) {
      if (biasOffset[i] >= 0) {
        biasOffset[i] += (int) weights;
      }
      if (betaOffset[i] >= 0) {
        betaOffset[i] += (int) weights;
        meanOffset[i] += (int) (weights + biases);
        varOffset[i] += (int) (weights + biases);
      }
    }
    this.last = lastDense;
    this.first = layers.get(0) instanceof LayerSpec.Input ? 1 : 0;
    this.weightCount = (int) weights;
    this.trainable = (int) (weights + biases);
    this.total = (int) (weights + biases + stats);
  }

  LayerSpec layer(int i) {
    return spec.layers().get(i);
  }

  boolean isDense(int layer) {
    return layer(layer) instanceof LayerSpec.Dense;
  }

  /** Features a batch norm layer normalises: channels of an image, values of a vector. */
  int features(int layer) {
    NetworkSpec.Shape in = inShape[layer];
    return in.image() ? in.channels() : in.height();
  }

  /**
   * The largest per-example buffer of any image or normalisation layer, in floats (a conv layer's
   * patches or output, another layer's output), or 0 for a network of dense and dropout layers.
   */
  int widestStageBuffer() {
    int widest = 0;
    for (int i = 0; i < inWidth.length; i++) {
      LayerSpec layer = layer(i);
      if (layer instanceof LayerSpec.Conv2d conv) {
        int positions = outShape[i].height() * outShape[i].width();
        widest = Math.max(widest, positions * Math.max(conv.filters(), conv.kernel() * conv.kernel() * inShape[i].channels()));
      } else if (!(layer instanceof LayerSpec.Dense || layer instanceof LayerSpec.Dropout || layer instanceof LayerSpec.Input)) {
        widest = Math.max(widest, Math.max(inWidth[i], outWidth[i]));
      }
    }
    return widest;
  }

  /** Whether a dense layer reads an image with several channels, which it flattens to CHW order first. */
  boolean flattensBefore(int layer) {
    return inShape[layer].image() && inShape[layer].channels() > 1;
  }

  Activation activation(int layer) {
    LayerSpec spec = layer(layer);
    return spec instanceof LayerSpec.Conv2d conv ? conv.activation() : ((LayerSpec.Dense) spec).activation();
  }

  double dropoutRate(int layer) {
    return ((LayerSpec.Dropout) layer(layer)).rate();
  }

  int outputs() {
    return outWidth[last];
  }

  static String weightName(int layer) {
    return "layers." + layer + ".weight";
  }

  static String biasName(int layer) {
    return "layers." + layer + ".bias";
  }

  /** A tensor slot of the flat vector: its name, shape and where it starts. */
  private record Slot(String name, int[] shape, int offset, int layer, boolean convWeight) {
  }

  private List<Slot> slots() {
    List<Slot> result = new ArrayList<>();
    for (int i = 0; i < inWidth.length; i++) {
      LayerSpec layer = layer(i);
      String prefix = "layers." + i + ".";
      if (layer instanceof LayerSpec.Dense) {
        result.add(new Slot(weightName(i), new int[] {inWidth[i], outWidth[i]}, weightOffset[i], i, false));
        result.add(new Slot(biasName(i), new int[] {outWidth[i]}, biasOffset[i], i, false));
      } else if (layer instanceof LayerSpec.Conv2d conv) {
        int k = conv.kernel();
        result.add(new Slot(weightName(i), new int[] {conv.filters(), inShape[i].channels(), k, k}, weightOffset[i], i,
            true));
        result.add(new Slot(biasName(i), new int[] {conv.filters()}, biasOffset[i], i, false));
      } else if (layer instanceof LayerSpec.BatchNorm) {
        int[] shape = {features(i)};
        result.add(new Slot(prefix + "gamma", shape, biasOffset[i], i, false));
        result.add(new Slot(prefix + "beta", shape, betaOffset[i], i, false));
        result.add(new Slot(prefix + "runningMean", shape, meanOffset[i], i, false));
        result.add(new Slot(prefix + "runningVar", shape, varOffset[i], i, false));
      }
    }
    return result;
  }

  /** Splits a flat parameter vector into named tensors. */
  List<NamedTensor> toTensors(float[] flat) {
    List<NamedTensor> result = new ArrayList<>();
    for (Slot slot : slots()) {
      int size = 1;
      for (int d : slot.shape) {
        size *= d;
      }
      float[] data = new float[size];
      if (slot.convWeight) {
        convToOihw(flat, slot.offset, slot.shape, data);
      } else {
        System.arraycopy(flat, slot.offset, data, 0, size);
      }
      result.add(new NamedTensor(slot.name, slot.shape, data));
    }
    return result;
  }

  /**
   * Assembles named tensors into a flat vector, checking that every tensor is present with the
   * right shape and finite values (running variances also not negative) and that no unknown name
   * is given.
   *
   * @throws IllegalArgumentException naming the offending tensor
   */
  float[] fromTensors(List<NamedTensor> tensors) {
    if (tensors == null) {
      throw new IllegalArgumentException("parameters must not be null");
    }
    Map<String, NamedTensor> byName = new HashMap<>();
    for (NamedTensor t : tensors) {
      if (t == null) {
        throw new IllegalArgumentException("parameters must not contain null");
      }
      if (byName.put(t.name(), t) != null) {
        throw new IllegalArgumentException("parameter " + t.name() + " is given twice");
      }
    }
    float[] flat = new float[total];
    for (Slot slot : slots()) {
      NamedTensor t = checked(byName.remove(slot.name), slot.name, slot.shape);
      if (slot.convWeight) {
        convFromOihw(t.data(), slot.shape, flat, slot.offset);
      } else {
        System.arraycopy(t.data(), 0, flat, slot.offset, t.data().length);
      }
      if (slot.name.endsWith(".runningVar")) {
        for (float v : t.data()) {
          if (v < 0f) {
            throw new IllegalArgumentException("parameter " + slot.name + " has a negative variance " + v);
          }
        }
      }
    }
    if (!byName.isEmpty()) {
      throw new IllegalArgumentException("unknown parameters " + byName.keySet() + " for network " + spec.text());
    }
    return flat;
  }

  private static NamedTensor checked(NamedTensor t, String name, int[] shape) {
    if (t == null) {
      throw new IllegalArgumentException("parameter " + name + " is missing");
    }
    if (!t.hasShape(shape)) {
      throw new IllegalArgumentException("parameter " + name + " has shape " + Arrays.toString(t.shape())
          + ", expected " + Arrays.toString(shape));
    }
    float[] data = t.data();
    for (int k = 0; k < data.length; k++) {
      if (!Float.isFinite(data[k])) {
        throw new IllegalArgumentException("parameter " + name + " has a non-finite value " + data[k] + " at index " + k);
      }
    }
    return t;
  }

  /** {@code [(ky, kx, c), f]} at {@code offset} of {@code flat} to {@code [f, c, ky, kx]}. */
  private static void convToOihw(float[] flat, int offset, int[] oihw, float[] out) {
    int filters = oihw[0];
    int channels = oihw[1];
    int k = oihw[2];
    for (int f = 0; f < filters; f++) {
      for (int c = 0; c < channels; c++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            out[((f * channels + c) * k + ky) * k + kx] = flat[offset + ((ky * k + kx) * channels + c) * filters + f];
          }
        }
      }
    }
  }

  private static void convFromOihw(float[] in, int[] oihw, float[] flat, int offset) {
    int filters = oihw[0];
    int channels = oihw[1];
    int k = oihw[2];
    for (int f = 0; f < filters; f++) {
      for (int c = 0; c < channels; c++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            flat[offset + ((ky * k + kx) * channels + c) * filters + f] = in[((f * channels + c) * k + ky) * k + kx];
          }
        }
      }
    }
  }

  /**
   * Seeded initial parameters, each dense and conv2d layer as its {@link WeightInit} says: the
   * weights, then the biases if the scheme draws them, from one random stream in layer order; batch
   * norm starts at gamma 1, beta 0, running mean 0 and running variance 1, as PyTorch's does. With
   * {@link WeightInit#AUTO} no bias is drawn, so those layers get exactly the values they got
   * before the choice of init existed.
   */
  float[] initialParameters(long seed) {
    float[] flat = new float[total];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < inWidth.length; i++) {
      LayerSpec layer = layer(i);
      if (layer instanceof LayerSpec.BatchNorm) {
        int features = features(i);
        Arrays.fill(flat, biasOffset[i], biasOffset[i] + features, 1f);
        Arrays.fill(flat, varOffset[i], varOffset[i] + features, 1f);
        continue;
      }
      int fanIn;
      int fanOut;
      int units;
      WeightInit init;
      if (layer instanceof LayerSpec.Dense dense) {
        fanIn = inWidth[i];
        fanOut = outWidth[i];
        units = fanOut;
        init = dense.init();
      } else if (layer instanceof LayerSpec.Conv2d conv) {
        int area = conv.kernel() * conv.kernel();
        fanIn = inShape[i].channels() * area;
        fanOut = conv.filters() * area;
        units = conv.filters();
        init = conv.init();
      } else {
        continue;
      }
      fillUniform(random, flat, weightOffset[i], fanIn * units, init.weightLimit(fanIn, fanOut, activation(i)));
      double biasLimit = init.biasLimit(fanIn);
      if (biasLimit > 0.0) {
        fillUniform(random, flat, biasOffset[i], units, biasLimit);
      }
    }
    return flat;
  }

  private static void fillUniform(SplittableRandom random, float[] flat, int offset, int n, double limit) {
    for (int k = 0; k < n; k++) {
      flat[offset + k] = (float) ((random.nextDouble() * 2.0 - 1.0) * limit);
    }
  }
}
