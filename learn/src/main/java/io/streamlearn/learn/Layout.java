package io.streamlearn.learn;

import io.streamlearn.tensor.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each layer's weights and biases sit in the flat parameter vector: every weight matrix first
 * (so L2 decay is one op over a prefix), then every bias. Immutable.
 */
final class Layout {

  final NetworkSpec spec;
  /** Per spec layer: input width, output width. */
  final int[] inWidth;
  final int[] outWidth;
  /** Per spec layer: offset of the weights / bias in the flat vector, or -1 for dropout layers. */
  final int[] weightOffset;
  final int[] biasOffset;
  /** Index (in spec.layers()) of the last dense layer. */
  final int last;
  final int weightCount;
  final int total;

  Layout(NetworkSpec spec) {
    this.spec = spec;
    int n = spec.layers().size();
    inWidth = new int[n];
    outWidth = new int[n];
    weightOffset = new int[n];
    biasOffset = new int[n];
    int width = spec.inputs();
    long weights = 0;
    long biases = 0;
    int lastDense = -1;
    for (int i = 0; i < n; i++) {
      inWidth[i] = width;
      if (spec.layers().get(i) instanceof LayerSpec.Dense dense) {
        weightOffset[i] = (int) weights;
        weights += (long) width * dense.units();
        biasOffset[i] = (int) biases;
        biases += dense.units();
        width = dense.units();
        lastDense = i;
      } else {
        weightOffset[i] = -1;
        biasOffset[i] = -1;
      }
      outWidth[i] = width;
    }
    if (weights + biases > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("network " + spec.text() + " has too many parameters: " + (weights + biases));
    }
    for (int i = 0; i < n; i++) {
      if (biasOffset[i] >= 0) {
        biasOffset[i] += (int) weights;
      }
    }
    this.last = lastDense;
    this.weightCount = (int) weights;
    this.total = (int) (weights + biases);
  }

  boolean isDense(int layer) {
    return weightOffset[layer] >= 0;
  }

  Activation activation(int layer) {
    return ((LayerSpec.Dense) spec.layers().get(layer)).activation();
  }

  double dropoutRate(int layer) {
    return ((LayerSpec.Dropout) spec.layers().get(layer)).rate();
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

  /** Splits a flat parameter vector into named tensors. */
  List<NamedTensor> toTensors(float[] flat) {
    List<NamedTensor> result = new ArrayList<>();
    for (int i = 0; i < inWidth.length; i++) {
      if (!isDense(i)) {
        continue;
      }
      float[] w = new float[inWidth[i] * outWidth[i]];
      System.arraycopy(flat, weightOffset[i], w, 0, w.length);
      float[] b = new float[outWidth[i]];
      System.arraycopy(flat, biasOffset[i], b, 0, b.length);
      result.add(new NamedTensor(weightName(i), new int[] {inWidth[i], outWidth[i]}, w));
      result.add(new NamedTensor(biasName(i), new int[] {outWidth[i]}, b));
    }
    return result;
  }

  /**
   * Assembles named tensors into a flat vector, checking that every tensor is present with the
   * right shape and finite values and that no unknown name is given.
   *
   * @throws IllegalArgumentException naming the offending tensor
   */
  float[] fromTensors(List<NamedTensor> tensors) {
    if (tensors == null) {
      throw new IllegalArgumentException("parameters must not be null");
    }
    java.util.Map<String, NamedTensor> byName = new java.util.HashMap<>();
    for (NamedTensor t : tensors) {
      if (t == null) {
        throw new IllegalArgumentException("parameters must not contain null");
      }
      if (byName.put(t.name(), t) != null) {
        throw new IllegalArgumentException("parameter " + t.name() + " is given twice");
      }
    }
    float[] flat = new float[total];
    for (int i = 0; i < inWidth.length; i++) {
      if (!isDense(i)) {
        continue;
      }
      copyChecked(byName.remove(weightName(i)), weightName(i), new int[] {inWidth[i], outWidth[i]}, flat, weightOffset[i]);
      copyChecked(byName.remove(biasName(i)), biasName(i), new int[] {outWidth[i]}, flat, biasOffset[i]);
    }
    if (!byName.isEmpty()) {
      throw new IllegalArgumentException("unknown parameters " + byName.keySet() + " for network " + spec.text());
    }
    return flat;
  }

  private static void copyChecked(NamedTensor t, String name, int[] shape, float[] flat, int offset) {
    if (t == null) {
      throw new IllegalArgumentException("parameter " + name + " is missing");
    }
    if (!t.hasShape(shape)) {
      throw new IllegalArgumentException("parameter " + name + " has shape " + java.util.Arrays.toString(t.shape())
          + ", expected " + java.util.Arrays.toString(shape));
    }
    float[] data = t.data();
    for (int k = 0; k < data.length; k++) {
      if (!Float.isFinite(data[k])) {
        throw new IllegalArgumentException("parameter " + name + " has a non-finite value " + data[k] + " at index " + k);
      }
    }
    System.arraycopy(data, 0, flat, offset, data.length);
  }

  WeightInit init(int layer) {
    return ((LayerSpec.Dense) spec.layers().get(layer)).init();
  }

  /**
   * Seeded initial parameters, each dense layer as its {@link WeightInit} says: the weights, then
   * the biases if the scheme draws them, from one random stream in layer order. With
   * {@link WeightInit#AUTO} no bias is drawn, so those layers get exactly the values they got
   * before the choice of init existed.
   */
  float[] initialParameters(long seed) {
    float[] flat = new float[total];
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    for (int i = 0; i < inWidth.length; i++) {
      if (!isDense(i)) {
        continue;
      }
      WeightInit init = init(i);
      int fanIn = inWidth[i];
      int fanOut = outWidth[i];
      fillUniform(random, flat, weightOffset[i], fanIn * fanOut, init.weightLimit(fanIn, fanOut, activation(i)));
      double biasLimit = init.biasLimit(fanIn);
      if (biasLimit > 0.0) {
        fillUniform(random, flat, biasOffset[i], fanOut, biasLimit);
      }
    }
    return flat;
  }

  private static void fillUniform(java.util.SplittableRandom random, float[] flat, int offset, int n, double limit) {
    for (int k = 0; k < n; k++) {
      flat[offset + k] = (float) ((random.nextDouble() * 2.0 - 1.0) * limit);
    }
  }
}
