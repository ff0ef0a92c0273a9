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
 *
 * <p>Every other layer (conv2d, pooling, flatten, batch norm) is a {@link Stage} working on the
 * Java copies; a stage whose output a dense layer reads also writes it to native memory, and a dense
 * layer reading a several-channel image flattens it (to CHW order) into a buffer of its own first.
 * So an MLP runs exactly the dense path it always ran.
 *
 * <p>Hooks for the sparse first layer of a {@link Learner}: {@link #forward(float[], int, int, float[],
 * long, float[])} adds a precomputed block to layer 0's pre-activations, and after {@link #backward}
 * {@link #firstLayerPreActivationGrad()} and (when built with {@code inputGradient})
 * {@link #inputGrad()} give the gradients below layer 0.
 */
final class Network {

  static {
    NativeBlas.load();
  }

  private final Layout layout;
  private final int maxRows;
  private final boolean training;
  private final long seed;
  private final int layers;
  private final boolean inputGradient;
  /** Per layer: the layer whose output it reads, or -1 for the network's input (skipping input() and, in inference, dropout). */
  private final int[] source;
  /** Per layer: its stage (conv2d, pooling, flatten, batch norm), or null. */
  private final Stage[] stages;
  /** Per dense layer that reads a several-channel image: the flatten before it, its Java and native output. */
  private final FlattenStage[] flatten;
  private final float[][] flatA;
  private final float[][] flatG;
  private final FloatBuffer[] flatN;
  /** Whether the network input goes to native memory (a dense layer reads it there). */
  private final boolean inputNative;
  /** The gradient with respect to the inputs (rows x inputs), or null when not built for it. */
  private final float[] inputGrad;
  private float[] firstGrad;
  /** The input of the last forward pass, for the backward pass of a stage reading it. */
  private float[] lastX;
  private int lastOffset;

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

  /**
   * @param params        the parameter vector in Java (biases are read from it)
   * @param nativeParams  the same parameters in native memory, or null to allocate and fill a copy
   * @param training      whether to allocate gradient buffers and apply dropout
   */
  Network(Layout layout, float[] params, FloatBuffer nativeParams, boolean training, int maxRows, long seed) {
    this(layout, params, nativeParams, training, maxRows, seed, false);
  }

  /**
   * @param inputGradient whether {@link #backward} also computes {@link #inputGrad()} (needs
   *                      {@code training})
   */
  Network(Layout layout, float[] params, FloatBuffer nativeParams, boolean training, int maxRows, long seed,
      boolean inputGradient) {
    if (inputGradient && !training) {
      throw new IllegalArgumentException("an input gradient needs a training network");
    }
    this.layout = layout;
    this.inputGradient = inputGradient;
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
    stages = new Stage[layers];
    flatten = new FlattenStage[layers];
    flatA = new float[layers][];
    flatG = new float[layers][];
    flatN = new FloatBuffer[layers];
    source = new int[layers];
    boolean readsInputNatively = false;
    for (int i = 0; i < layers; i++) {
      int from = i - 1;
      while (from >= 0 && (layout.layer(from) instanceof LayerSpec.Input
          || !training && layout.layer(from) instanceof LayerSpec.Dropout)) {
        from--;
      }
      source[i] = from;
      if (from < 0 && layout.isDense(i) && !layout.flattensBefore(i)) {
        readsInputNatively = true;
      }
    }
    inputNative = readsInputNatively;
    xN = allocate(readsInputNatively ? maxRows * layout.spec.inputs() : 1);
    inputGrad = inputGradient ? new float[maxRows * layout.spec.inputs()] : null;
    int widest = layout.spec.inputs();
    for (int i = 0; i < layers; i++) {
      int w = layout.outWidth[i];
      int size = maxRows * w;
      LayerSpec layer = layout.layer(i);
      if (layer instanceof LayerSpec.Input) {
        continue;
      }
      if (layout.isDense(i)) {
        widest = Math.max(widest, w);
        if (layout.flattensBefore(i)) {
          int inSize = maxRows * layout.inWidth[i];
          flatten[i] = new FlattenStage(layout.inShape[i]);
          flatA[i] = new float[inSize];
          flatN[i] = allocate(inSize);
          flatG[i] = training ? new float[inSize] : null;
        }
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
          if (source[i] >= 0 || inputGradient) {
            gInN[i] = allocate(maxRows * layout.inWidth[i]);
          }
        }
      } else if (layer instanceof LayerSpec.Dropout) {
        if (training) {
          outN[i] = allocate(size);
          a[i] = new float[size];
          g[i] = new float[size];
          mask[i] = new float[size];
        }
        // in inference a dropout is skipped: its readers read its source (see source[])
      } else {
        stages[i] = stage(i, pN, maxRows, training);
        a[i] = new float[size];
        g[i] = training ? new float[size] : null;
        if (readNatively(i)) {
          outN[i] = allocate(size);
        }
      }
    }
    dz = new float[maxRows * widest];
  }

  /** Whether a dense layer reads layer {@code i}'s output from native memory. */
  private boolean readNatively(int i) {
    for (int j = i + 1; j < layers; j++) {
      if (source[j] == i && layout.isDense(j) && !layout.flattensBefore(j)) {
        return true;
      }
    }
    return false;
  }

  private Stage stage(int i, FloatBuffer pN, int maxRows, boolean training) {
    LayerSpec layer = layout.layer(i);
    if (layer instanceof LayerSpec.Conv2d) {
      int wSize = layout.inShape[i].channels() * ((LayerSpec.Conv2d) layer).kernel()
          * ((LayerSpec.Conv2d) layer).kernel() * ((LayerSpec.Conv2d) layer).filters();
      weightN[i] = NativeBlas.slice(pN, layout.weightOffset[i], wSize);
      if (training) {
        gradWeightN[i] = NativeBlas.slice(gradWeightsN, layout.weightOffset[i], wSize);
      }
      return new ConvStage(layout, i, params, weightN[i], grads, gradWeightN[i], maxRows, training);
    }
    if (layer instanceof LayerSpec.MaxPool pool) {
      return new PoolStage(true, pool.size(), layout.inShape[i]);
    }
    if (layer instanceof LayerSpec.AvgPool pool) {
      return new PoolStage(false, pool.size(), layout.inShape[i]);
    }
    if (layer instanceof LayerSpec.Flatten) {
      return new FlattenStage(layout.inShape[i]);
    }
    if (layer instanceof LayerSpec.BatchNorm) {
      return new BatchNormStage(layout, i, params, grads, maxRows, training);
    }
    throw new IllegalStateException("no stage for layer " + i + " " + layer.text());
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
   * As {@link #forward(float[], int, int, float[], long)}, adding {@code firstLayerAdd[r * units0 + j]}
   * to the pre-activation of unit {@code j} of dense layer 0 on row {@code r} when it is not null
   * (the sparse part of the first layer, computed by the caller).
   *
   * @throws IllegalStateException if {@code firstLayerAdd} is given and layer 0 is not dense
   */
  void forward(float[] x, int offset, int rows, float[] logits, long dropoutStep, float[] firstLayerAdd) {
    if (firstLayerAdd != null && !layout.isDense(0)) {
      throw new IllegalStateException("a first-layer addition needs a dense layer 0, got " + layout.layer(0).text());
    }
    if (inputNative) {
      xN.put(0, x, offset, rows * layout.spec.inputs());
    }
    lastX = x;
    lastOffset = offset;
    SplittableRandom random = null;
    for (int i = 0; i < layers; i++) {
      int from = source[i];
      int w = layout.outWidth[i];
      if (layout.isDense(i)) {
        FloatBuffer inN;
        if (flatten[i] != null) {
          flatten[i].forward(from < 0 ? x : a[from], from < 0 ? offset : 0, rows, flatA[i]);
          flatN[i].put(0, flatA[i], 0, rows * layout.inWidth[i]);
          inN = flatN[i];
        } else {
          inN = from < 0 ? xN : outN[from];
        }
        FloatBuffer z = zN[i];
        int b = layout.biasOffset[i];
        if (i == 0 && firstLayerAdd != null) {
          for (int r = 0, base = 0; r < rows; r++, base += w) {
            for (int j = 0; j < w; j++) {
              dz[base + j] = params[b + j] + firstLayerAdd[base + j];
            }
          }
          z.put(0, dz, 0, rows * w);
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
      } else if (stages[i] != null) {
        stages[i].forward(from < 0 ? x : a[from], from < 0 ? offset : 0, rows, a[i]);
        if (outN[i] != null) {
          outN[i].put(0, a[i], 0, rows * w);
        }
      } else if (training && layout.layer(i) instanceof LayerSpec.Dropout) {
        if (random == null) {
          random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (dropoutStep + 1)));
        }
        dropout(i, x, offset, rows, random);
      }
    }
  }

  /**
   * Makes the running statistics the last training forward pass measured permanent (batch norm);
   * the {@link Learner} calls it once it knows the step counts, so a batch whose loss is not finite
   * leaves no trace.
   */
  void commit() {
    for (Stage stage : stages) {
      if (stage != null) {
        stage.commit();
      }
    }
  }

  /** After {@link #backward}: {@code dL/dz0}, rows x units of dense layer 0, as its backward pass left it. */
  float[] firstLayerPreActivationGrad() {
    return firstGrad;
  }

  /**
   * After {@link #backward}: {@code dL/dx}, rows x inputs.
   *
   * @throws IllegalStateException if this network was not built with {@code inputGradient}
   */
  float[] inputGrad() {
    if (inputGrad == null) {
      throw new IllegalStateException("this network was built without inputGradient");
    }
    return inputGrad;
  }

  /** Where layer {@code i}'s backward pass writes the gradient with respect to its input, or null. */
  private float[] inputGradTarget(int i) {
    return source[i] >= 0 ? g[source[i]] : inputGrad;
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
    float[] in = source[i] < 0 ? x : a[source[i]];
    int inOffset = source[i] < 0 ? offset : 0;
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
        if (i == 0) {
          firstGrad = d;
        }
        dzN[i].put(0, d, 0, n);
        int from = source[i];
        FloatBuffer inN = flatten[i] != null ? flatN[i] : from < 0 ? xN : outN[from];
        int in = layout.inWidth[i];
        NativeBlas.gemm(true, false, in, w, rows, 1f, inN, dzN[i], 0f, gradWeightN[i]);
        float[] gIn = inputGradTarget(i);
        if (gIn != null) {
          NativeBlas.gemm(false, true, rows, in, w, 1f, dzN[i], weightN[i], 0f, gInN[i]);
          if (flatten[i] != null) {
            gInN[i].get(0, flatG[i], 0, rows * in);
            flatten[i].backward(null, 0, null, flatG[i], rows, gIn);
          } else {
            gInN[i].get(0, gIn, 0, rows * in);
          }
        }
      } else if (stages[i] != null) {
        int from = source[i];
        stages[i].backward(from < 0 ? lastX : a[from], from < 0 ? lastOffset : 0, a[i], g[i], rows,
            inputGradTarget(i));
      } else if (layout.layer(i) instanceof LayerSpec.Dropout) {
        float[] gIn = inputGradTarget(i);
        if (gIn != null) {
          float[] m = mask[i];
          float[] gOut = g[i];
          for (int k = 0; k < n; k++) {
            gIn[k] = gOut[k] * m[k];
          }
        }
      }
    }
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
