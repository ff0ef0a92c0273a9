package io.streamlearn.learn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The compute kernel of one network: forward pass and (when built for training) backward pass over
 * buffers preallocated for up to {@code maxRows} rows. Not thread-safe; a {@link Learner} owns one,
 * a {@link Model} keeps one per thread over shared read-only parameters.
 *
 * <p>Where the time goes, and so the design: the two large matrix products per dense layer run in
 * native BLAS ({@link NativeBlas#gemm}, straight into preallocated ND4J buffers); tanh and sigmoid run
 * as ND4J ops; everything that is cheap per element (bias, relu, dropout, the derivatives, bias
 * gradients, the output layer and loss) runs in Java on the small {@code rows x units} blocks, each
 * moved across with one bulk copy, which is cheaper than the ~10 µs each extra native call would cost.
 * The bias is added for free: the product's output is pre-filled with the bias rows and accumulated
 * into with {@code beta = 1}.
 */
final class Network {

  static {
    NativeBlas.load();
  }

  private final Layout layout;
  private final int maxRows;
  private final boolean training;
  private final boolean inputGradient;
  private final long seed;
  private final int layers;

  /** Parameters: the Java copy is read for biases; the native copy feeds the products. */
  private final float[] params;
  private final FloatBuffer[] weightN;

  /** Gradient: the native weight part is written by the products, then copied into {@code grads}. */
  private final float[] grads;
  private final FloatBuffer gradWeightsN;
  private final FloatBuffer[] gradWeightN;

  private final FloatBuffer xN;
  private final FloatBuffer[] zN;
  private final FloatBuffer[] outN;
  private final FloatBuffer[] dzN;
  private final FloatBuffer[] gInN;
  private final DataBuffer[] zData;
  private final DataBuffer[] aData;
  /** Per layer, per row count: 1-D ND4J views for the tanh/sigmoid ops. */
  private final INDArray[][] zView;
  private final INDArray[][] aView;

  /** Java copies: output of each layer, gradient with respect to it, dropout masks. */
  private final float[][] a;
  private final float[][] g;
  private final float[][] mask;
  private final float[] dz;
  /** With {@code inputGradient}: the loss gradient with respect to the input rows (Java, rows x inputs). */
  private final float[] inputGrad;
  private final FloatBuffer inputGradN;
  /** Layer 0's pre-activation gradient after {@link #backward} (a reference to dz or dLogits). */
  private float[] firstLayerGrad;

  /**
   * @param params        the parameter vector in Java (biases are read from it)
   * @param nativeParams  the same parameters in native memory, or null to allocate and fill a copy
   * @param training      whether to allocate gradient buffers and apply dropout
   */
  Network(Layout layout, float[] params, FloatBuffer nativeParams, boolean training, int maxRows, long seed) {
    this(layout, params, nativeParams, training, maxRows, seed, false);
  }

  /**
   * As the constructor above; with {@code inputGradient} (training only) {@link #backward} also
   * computes the loss gradient with respect to the input rows, read by {@link #inputGrad()}, for a
   * stage in front of the network that has parameters of its own (an embedding table).
   */
  Network(Layout layout, float[] params, FloatBuffer nativeParams, boolean training, int maxRows, long seed,
      boolean inputGradient) {
    if (inputGradient && !training) {
      throw new IllegalArgumentException("an input gradient needs a training network");
    }
    this.inputGradient = inputGradient;
    this.layout = layout;
    this.maxRows = maxRows;
    this.training = training;
    this.seed = seed;
    this.layers = layout.spec.layers().size();
    this.params = params;
    FloatBuffer pN = nativeParams != null ? nativeParams : allocate(Math.max(1, layout.weightCount));
    if (nativeParams == null) {
      pN.put(0, params, 0, layout.weightCount);
    }
    weightN = new FloatBuffer[layers];
    gradWeightN = new FloatBuffer[layers];
    this.grads = training ? new float[layout.total] : null;
    this.gradWeightsN = training ? allocate(Math.max(1, layout.weightCount)) : null;
    zN = new FloatBuffer[layers];
    outN = new FloatBuffer[layers];
    dzN = new FloatBuffer[layers];
    gInN = new FloatBuffer[layers];
    zData = new DataBuffer[layers];
    aData = new DataBuffer[layers];
    zView = new INDArray[layers][];
    aView = new INDArray[layers][];
    a = new float[layers][];
    g = new float[layers][];
    mask = new float[layers][];
    xN = allocate(maxRows * layout.spec.inputs());
    int widest = layout.spec.inputs();
    for (int i = 0; i < layers; i++) {
      int w = layout.outWidth[i];
      widest = Math.max(widest, w);
      int size = maxRows * w;
      if (layout.isDense(i)) {
        int wSize = layout.inWidth[i] * w;
        weightN[i] = NativeBlas.slice(pN, layout.weightOffset[i], wSize);
        zData[i] = Nd4j.createBuffer(DataType.FLOAT, size, true);
        zN[i] = floats(zData[i]);
        Activation act = layout.activation(i);
        if (i != layout.last && act != Activation.LINEAR) {
          aData[i] = Nd4j.createBuffer(DataType.FLOAT, size, true);
          outN[i] = floats(aData[i]);
        } else {
          outN[i] = zN[i];
        }
        if (act == Activation.TANH || act == Activation.SIGMOID) {
          zView[i] = new INDArray[maxRows + 1];
          aView[i] = new INDArray[maxRows + 1];
        }
        a[i] = new float[size];
        if (training) {
          gradWeightN[i] = NativeBlas.slice(gradWeightsN, layout.weightOffset[i], wSize);
          dzN[i] = allocate(size);
          g[i] = new float[size];
          if (i > 0) {
            gInN[i] = allocate(maxRows * layout.inWidth[i]);
          }
        }
      } else if (training) {
        outN[i] = allocate(size);
        a[i] = new float[size];
        g[i] = new float[size];
        mask[i] = new float[size];
      } else {
        outN[i] = i == 0 ? xN : outN[i - 1];
        a[i] = i == 0 ? null : a[i - 1];
      }
    }
    dz = new float[maxRows * widest];
    inputGrad = inputGradient ? new float[maxRows * layout.spec.inputs()] : null;
    inputGradN = inputGradient && layout.isDense(0) ? allocate(maxRows * layout.spec.inputs()) : null;
  }

  /**
   * A zeroed direct buffer of native byte order whose memory lives as long as the returned buffer
   * (and any slice of it) is reachable. Never hand out an NIO view of an ND4J {@link DataBuffer}
   * without keeping the DataBuffer itself referenced: ND4J frees its memory when the DataBuffer
   * object is collected, and the view would then point at freed memory.
   */
  static FloatBuffer allocate(int size) {
    return ByteBuffer.allocateDirect(Math.max(1, size) * Float.BYTES).order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  static FloatBuffer floats(DataBuffer data) {
    return data.asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  int maxRows() {
    return maxRows;
  }

  /** The gradient vector filled by {@link #backward} (Java, parameter layout). */
  float[] grads() {
    return grads;
  }

  /** Copies the weight part of the Java parameters to the native copy the products read. */
  void syncWeights(FloatBuffer nativeParams) {
    nativeParams.put(0, params, 0, layout.weightCount);
  }

  /**
   * Forward pass over {@code rows} rows of {@code x} from {@code offset}; the output layer's
   * pre-activations (logits) are copied into {@code logits}.
   *
   * @param dropoutStep with training buffers, the step whose dropout masks to draw
   */
  void forward(float[] x, int offset, int rows, float[] logits, long dropoutStep) {
    forward(x, offset, rows, logits, dropoutStep, null);
  }

  /**
   * As {@link #forward(float[], int, int, float[], long)}, and when {@code firstLayerAdd} is not null,
   * {@code firstLayerAdd[r * units0 + j]} is added to the first layer's pre-activation of row r, unit j:
   * the way a stage in front of the network (the gather-and-sum over sparse inputs) contributes the
   * part of the first product it computes itself. The first layer must then be dense.
   */
  void forward(float[] x, int offset, int rows, float[] logits, long dropoutStep, float[] firstLayerAdd) {
    if (firstLayerAdd != null && !layout.isDense(0)) {
      throw new IllegalArgumentException("firstLayerAdd needs a dense first layer, got " + layout.spec.layers().get(0).text());
    }
    xN.put(0, x, offset, rows * layout.spec.inputs());
    SplittableRandom random = null;
    for (int i = 0; i < layers; i++) {
      FloatBuffer inN = i == 0 ? xN : outN[i - 1];
      int w = layout.outWidth[i];
      if (layout.isDense(i)) {
        FloatBuffer z = zN[i];
        int b = layout.biasOffset[i];
        if (i == 0 && firstLayerAdd != null) {
          // bias plus the caller's part, written once so the product still accumulates with beta = 1
          float[] pre = a[0];
          for (int r = 0, base = 0; r < rows; r++, base += w) {
            for (int j = 0; j < w; j++) {
              pre[base + j] = params[b + j] + firstLayerAdd[base + j];
            }
          }
          z.put(0, pre, 0, rows * w);
        } else {
          for (int r = 0; r < rows; r++) {
            z.put(r * w, params, b, w);
          }
        }
        NativeBlas.gemm(false, false, rows, w, layout.inWidth[i], 1f, inN, weightN[i], 1f, z);
        if (i == layout.last) {
          z.get(0, logits, 0, rows * w);
        } else {
          activate(i, rows);
        }
      } else if (training) {
        if (random == null) {
          random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (dropoutStep + 1)));
        }
        dropout(i, x, offset, rows, random);
      }
    }
  }

  private void activate(int i, int rows) {
    int w = layout.outWidth[i];
    int n = rows * w;
    float[] out = a[i];
    switch (layout.activation(i)) {
      case RELU:
        zN[i].get(0, out, 0, n);
        for (int k = 0; k < n; k++) {
          out[k] = Math.max(out[k], 0f);
        }
        outN[i].put(0, out, 0, n);
        break;
      case LEAKY_RELU:
        zN[i].get(0, out, 0, n);
        float slope = (float) Activation.LEAKY_SLOPE;
        for (int k = 0; k < n; k++) {
          float v = out[k];
          // equals v > 0 ? v : slope * v for 0 < slope < 1, without a branch
          out[k] = Math.max(v, v * slope);
        }
        outN[i].put(0, out, 0, n);
        break;
      case SOFTMAX:
        zN[i].get(0, out, 0, n);
        OutputMath.activate(Activation.SOFTMAX, out, out, rows, w);
        outN[i].put(0, out, 0, n);
        break;
      case TANH:
        Nd4j.exec(new Tanh(zView(i, rows), aView(i, rows)));
        outN[i].get(0, out, 0, n);
        break;
      case SIGMOID:
        Nd4j.exec(new Sigmoid(zView(i, rows), aView(i, rows)));
        outN[i].get(0, out, 0, n);
        break;
      case LINEAR:
        zN[i].get(0, out, 0, n);
        break;
      default:
        throw new IllegalStateException("unhandled activation " + layout.activation(i));
    }
  }

  private INDArray zView(int i, int rows) {
    INDArray v = zView[i][rows];
    if (v == null) {
      v = vector(zData[i], rows * layout.outWidth[i]);
      zView[i][rows] = v;
    }
    return v;
  }

  private INDArray aView(int i, int rows) {
    INDArray v = aView[i][rows];
    if (v == null) {
      v = vector(aData[i], rows * layout.outWidth[i]);
      aView[i][rows] = v;
    }
    return v;
  }

  private static INDArray vector(DataBuffer data, int length) {
    return Nd4j.create(data, new long[] {length}, new long[] {1}, 0, 'c', DataType.FLOAT);
  }

  private void dropout(int i, float[] x, int offset, int rows, SplittableRandom random) {
    int n = rows * layout.outWidth[i];
    float[] in = i == 0 ? x : a[i - 1];
    int inOffset = i == 0 ? offset : 0;
    double rate = layout.dropoutRate(i);
    float keep = (float) (1.0 / (1.0 - rate));
    float[] m = mask[i];
    float[] out = a[i];
    for (int k = 0; k < n; k++) {
      m[k] = random.nextDouble() < rate ? 0f : keep;
      out[k] = in[inOffset + k] * m[k];
    }
    outN[i].put(0, out, 0, n);
  }

  /**
   * Backward pass after {@link #forward}: {@code dLogits} is the gradient of the loss with respect
   * to the output layer's pre-activations. Writes the bias gradients into {@link #grads()} and the
   * weight gradients into {@link #nativeWeightGrads()} (see {@link #collectWeightGrads()}).
   */
  void backward(float[] dLogits, int rows) {
    for (int i = layout.last; i >= 0; i--) {
      int w = layout.outWidth[i];
      int n = rows * w;
      if (layout.isDense(i)) {
        float[] d;
        if (i == layout.last) {
          d = dLogits;
        } else {
          d = dz;
          activationBackward(i, rows, d);
        }
        int b = layout.biasOffset[i];
        java.util.Arrays.fill(grads, b, b + w, 0f);
        for (int r = 0, base = 0; r < rows; r++, base += w) {
          for (int j = 0; j < w; j++) {
            grads[b + j] += d[base + j];
          }
        }
        dzN[i].put(0, d, 0, n);
        FloatBuffer inN = i == 0 ? xN : outN[i - 1];
        int in = layout.inWidth[i];
        NativeBlas.gemm(true, false, in, w, rows, 1f, inN, dzN[i], 0f, gradWeightN[i]);
        if (i > 0) {
          NativeBlas.gemm(false, true, rows, in, w, 1f, dzN[i], weightN[i], 0f, gInN[i]);
          gInN[i].get(0, g[i - 1], 0, rows * in);
        } else {
          firstLayerGrad = d;
          if (inputGradient) {
            NativeBlas.gemm(false, true, rows, in, w, 1f, dzN[0], weightN[0], 0f, inputGradN);
            inputGradN.get(0, inputGrad, 0, rows * in);
          }
        }
      } else {
        float[] m = mask[i];
        float[] gOut = g[i];
        float[] gIn = i > 0 ? g[i - 1] : inputGrad;
        if (gIn != null) {
          for (int k = 0; k < n; k++) {
            gIn[k] = gOut[k] * m[k];
          }
        }
      }
    }
  }

  /**
   * After {@link #backward}: the loss gradient with respect to the first layer's pre-activations,
   * {@code rows x units0} row-major (read in place; valid until the next pass). The first layer must
   * be dense.
   */
  float[] firstLayerPreActivationGrad() {
    if (!layout.isDense(0)) {
      throw new IllegalStateException("the first layer is not dense: " + layout.spec.layers().get(0).text());
    }
    return firstLayerGrad;
  }

  /**
   * After {@link #backward} of a network built with {@code inputGradient}: the loss gradient with
   * respect to the input rows, {@code rows x inputs} row-major (read in place).
   */
  float[] inputGrad() {
    if (!inputGradient) {
      throw new IllegalStateException("this network was built without inputGradient");
    }
    return inputGrad;
  }

  /**
   * The weight gradients in native memory, as the products left them after {@link #backward}; the
   * bias gradients are already in {@link #grads()}.
   */
  FloatBuffer nativeWeightGrads() {
    return gradWeightsN;
  }

  /** Copies the native weight gradients into {@link #grads()}, completing it. */
  void collectWeightGrads() {
    gradWeightsN.get(0, grads, 0, layout.weightCount);
  }

  /** {@code d = g[i] * activation'(.)}, from the layer's output kept in Java. */
  private void activationBackward(int i, int rows, float[] d) {
    int w = layout.outWidth[i];
    int n = rows * w;
    float[] out = a[i];
    float[] grad = g[i];
    switch (layout.activation(i)) {
      case RELU:
        // Branch-free: relu outputs are +0.0 or positive, so -bits >> 31 is all ones exactly
        // when the unit was active; a data-dependent branch here mispredicts half the time.
        for (int k = 0; k < n; k++) {
          int active = -Float.floatToRawIntBits(out[k]) >> 31;
          d[k] = Float.intBitsToFloat(Float.floatToRawIntBits(grad[k]) & active);
        }
        break;
      case LEAKY_RELU:
        float slope = (float) Activation.LEAKY_SLOPE;
        for (int k = 0; k < n; k++) {
          d[k] = out[k] > 0f ? grad[k] : grad[k] * slope;
        }
        break;
      case TANH:
        for (int k = 0; k < n; k++) {
          d[k] = grad[k] * (1f - out[k] * out[k]);
        }
        break;
      case SIGMOID:
        for (int k = 0; k < n; k++) {
          d[k] = grad[k] * out[k] * (1f - out[k]);
        }
        break;
      case SOFTMAX:
        OutputMath.softmaxBackward(out, grad, d, rows, w);
        break;
      case LINEAR:
        System.arraycopy(grad, 0, d, 0, n);
        break;
      default:
        throw new IllegalStateException("unhandled activation " + layout.activation(i));
    }
  }
}
