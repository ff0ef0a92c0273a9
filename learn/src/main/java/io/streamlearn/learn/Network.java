package io.streamlearn.learn;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The compute kernel of one network: preallocated ND4J buffers for up to {@code maxRows} rows, the
 * forward pass and (when built for training) the backward pass into a flat gradient vector.
 *
 * <p>Not thread-safe. A {@link Learner} owns one; a {@link Model} keeps one per thread over shared,
 * read-only parameters. Buffers are allocated once at {@code maxRows} rows; for a smaller batch the
 * arrays are views over the first rows of the same memory, cached per row count.
 *
 * <p>Bias addition costs no native call: the pre-activation buffer is filled with the bias rows from
 * Java (a memory copy) and the matrix product accumulates into it with {@code beta = 1}. The output
 * layer's activation runs in Java on the copied-out logits (see {@link OutputMath}).
 */
final class Network {

    private final Layout layout;
    private final int maxRows;
    private final boolean training;
    private final long seed;

    private final INDArray params;
    private final FloatBuffer paramBuffer;
    /** Java copy of the biases (flat vector from {@code layout.weightCount} on), refreshed after updates. */
    private final float[] biases;
    private final INDArray[] weights;

    private final INDArray grads;
    private final FloatBuffer gradBuffer;
    private final INDArray[] weightGrads;
    private final INDArray[] biasGrads;

    private final DataBuffer xData;
    private final FloatBuffer xBuffer;
    private final DataBuffer[] zData;
    private final FloatBuffer[] zBuffer;
    private final DataBuffer[] aData;
    private final FloatBuffer[] aBuffer;
    private final DataBuffer[] dzData;
    private final FloatBuffer[] dzBuffer;
    private final DataBuffer[] gData;
    private final FloatBuffer[] gBuffer;
    private final DataBuffer[] maskData;
    private final FloatBuffer[] maskBuffer;
    private final DataBuffer onesData;

    private final Views[] byRows;
    private float[] scratch = new float[0];
    private float[] scratch2 = new float[0];

    /** Array views of every buffer for one row count. */
    private static final class Views {
        INDArray x;
        INDArray[] z;
        INDArray[] a;
        INDArray[] dz;
        INDArray[] g;
        INDArray[] mask;
        INDArray ones;
    }

    /**
     * @param params   flat parameter vector, shared read-only (inference) or owned (training)
     * @param grads    flat gradient vector with the same layout, or null for inference only
     */
    Network(Layout layout, INDArray params, INDArray grads, int maxRows, long seed) {
        this.layout = layout;
        this.maxRows = maxRows;
        this.training = grads != null;
        this.seed = seed;
        this.params = params;
        this.paramBuffer = floats(params.data());
        this.grads = grads;
        this.gradBuffer = training ? floats(grads.data()) : null;
        int n = layout.spec.layers().size();
        weights = new INDArray[n];
        weightGrads = new INDArray[n];
        biasGrads = new INDArray[n];
        biases = new float[layout.total - layout.weightCount];
        refreshBiases();
        for (int i = 0; i < n; i++) {
            if (layout.isDense(i)) {
                weights[i] = matrix(params.data(), layout.weightOffset[i], layout.inWidth[i], layout.outWidth[i]);
                if (training) {
                    weightGrads[i] = matrix(grads.data(), layout.weightOffset[i], layout.inWidth[i], layout.outWidth[i]);
                    biasGrads[i] = matrix(grads.data(), layout.biasOffset[i], 1, layout.outWidth[i]);
                }
            }
        }
        xData = buffer((long) maxRows * layout.spec.inputs());
        xBuffer = floats(xData);
        zData = new DataBuffer[n];
        zBuffer = new FloatBuffer[n];
        aData = new DataBuffer[n];
        aBuffer = new FloatBuffer[n];
        dzData = new DataBuffer[n];
        dzBuffer = new FloatBuffer[n];
        gData = new DataBuffer[n];
        gBuffer = new FloatBuffer[n];
        maskData = new DataBuffer[n];
        maskBuffer = new FloatBuffer[n];
        for (int i = 0; i < n; i++) {
            long size = (long) maxRows * layout.outWidth[i];
            if (layout.isDense(i)) {
                zData[i] = buffer(size);
                zBuffer[i] = floats(zData[i]);
                if (ownsActivation(i)) {
                    aData[i] = buffer(size);
                    aBuffer[i] = floats(aData[i]);
                }
                if (training && i != layout.last) {
                    gData[i] = buffer(size);
                    gBuffer[i] = floats(gData[i]);
                    if (layout.activation(i) != Activation.LINEAR) {
                        dzData[i] = buffer(size);
                        dzBuffer[i] = floats(dzData[i]);
                    }
                }
                if (training && i == layout.last) {
                    dzData[i] = buffer(size);
                    dzBuffer[i] = floats(dzData[i]);
                }
            } else if (training) {
                aData[i] = buffer(size);
                aBuffer[i] = floats(aData[i]);
                maskData[i] = buffer(size);
                maskBuffer[i] = floats(maskData[i]);
                gData[i] = buffer(size);
                gBuffer[i] = floats(gData[i]);
            }
        }
        onesData = buffer(maxRows);
        FloatBuffer ones = floats(onesData);
        for (int r = 0; r < maxRows; r++) {
            ones.put(r, 1f);
        }
        byRows = new Views[maxRows + 1];
    }

    /** True if dense layer {@code i} writes its activation into its own buffer (not the output layer, not linear). */
    private boolean ownsActivation(int i) {
        return i != layout.last && layout.activation(i) != Activation.LINEAR;
    }

    private static DataBuffer buffer(long size) {
        return Nd4j.createBuffer(DataType.FLOAT, Math.max(1, size), true);
    }

    static FloatBuffer floats(DataBuffer data) {
        return data.asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
    }

    static INDArray matrix(DataBuffer data, long offset, int rows, int cols) {
        return Nd4j.create(data, new long[] {rows, cols}, new long[] {cols, 1}, offset, 'c', DataType.FLOAT);
    }

    int maxRows() {
        return maxRows;
    }

    Layout layout() {
        return layout;
    }

    /** Re-reads the Java copy of the biases after the parameters changed. */
    void refreshBiases() {
        paramBuffer.get(layout.weightCount, biases, 0, biases.length);
    }

    private Views views(int rows) {
        Views v = byRows[rows];
        if (v != null) {
            return v;
        }
        int n = layout.spec.layers().size();
        v = new Views();
        v.x = matrix(xData, 0, rows, layout.spec.inputs());
        v.z = new INDArray[n];
        v.a = new INDArray[n];
        v.dz = new INDArray[n];
        v.g = new INDArray[n];
        v.mask = new INDArray[n];
        v.ones = matrix(onesData, 0, 1, rows);
        for (int i = 0; i < n; i++) {
            int w = layout.outWidth[i];
            INDArray input = i == 0 ? v.x : v.a[i - 1];
            if (layout.isDense(i)) {
                v.z[i] = matrix(zData[i], 0, rows, w);
                v.a[i] = ownsActivation(i) ? matrix(aData[i], 0, rows, w) : v.z[i];
                if (gData[i] != null) {
                    v.g[i] = matrix(gData[i], 0, rows, w);
                }
                if (dzData[i] != null) {
                    v.dz[i] = matrix(dzData[i], 0, rows, w);
                } else {
                    v.dz[i] = v.g[i];
                }
            } else if (training) {
                v.a[i] = matrix(aData[i], 0, rows, w);
                v.mask[i] = matrix(maskData[i], 0, rows, w);
                v.g[i] = matrix(gData[i], 0, rows, w);
            } else {
                v.a[i] = input;
            }
        }
        byRows[rows] = v;
        return v;
    }

    private float[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new float[size];
        }
        return scratch;
    }

    private float[] scratch2(int size) {
        if (scratch2.length < size) {
            scratch2 = new float[size];
        }
        return scratch2;
    }

    /**
     * Copies {@code rows} rows of {@code x} (from {@code offset}) into the input buffer and runs the
     * forward pass; the output layer's pre-activations (logits) are copied into {@code logits}.
     *
     * @param dropoutStep with training buffers, the step whose dropout masks to draw; ignored otherwise
     */
    void forward(float[] x, int offset, int rows, float[] logits, long dropoutStep) {
        Views v = views(rows);
        xBuffer.put(0, x, offset, rows * layout.spec.inputs());
        int n = layout.spec.layers().size();
        SplittableRandom random = null;
        for (int i = 0; i < n; i++) {
            INDArray input = i == 0 ? v.x : v.a[i - 1];
            if (layout.isDense(i)) {
                int w = layout.outWidth[i];
                FloatBuffer z = zBuffer[i];
                int b = layout.biasOffset[i] - layout.weightCount;
                for (int r = 0; r < rows; r++) {
                    z.put(r * w, biases, b, w);
                }
                Nd4j.gemm(input, weights[i], v.z[i], false, false, 1.0, 1.0);
                if (i != layout.last) {
                    activate(i, v, rows);
                }
            } else if (training) {
                if (random == null) {
                    random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (dropoutStep + 1)));
                }
                fillMask(i, rows, random);
                input.mul(v.mask[i], v.a[i]);
            }
        }
        zBuffer[layout.last].get(0, logits, 0, rows * layout.outputs());
    }

    private void fillMask(int layer, int rows, SplittableRandom random) {
        double rate = layout.dropoutRate(layer);
        float keep = (float) (1.0 / (1.0 - rate));
        int size = rows * layout.outWidth[layer];
        float[] mask = scratch(size);
        for (int k = 0; k < size; k++) {
            mask[k] = random.nextDouble() < rate ? 0f : keep;
        }
        maskBuffer[layer].put(0, mask, 0, size);
    }

    private void activate(int i, Views v, int rows) {
        INDArray z = v.z[i];
        INDArray a = v.a[i];
        switch (layout.activation(i)) {
            case RELU:
                Nd4j.exec(new RectifiedLinear(z, a, 0.0));
                break;
            case LEAKY_RELU:
                Nd4j.exec(new LeakyReLU(z, a, Activation.LEAKY_SLOPE));
                break;
            case TANH:
                Nd4j.exec(new Tanh(z, a));
                break;
            case SIGMOID:
                Nd4j.exec(new Sigmoid(z, a));
                break;
            case SOFTMAX:
                int size = rows * layout.outWidth[i];
                float[] tmp = scratch(size);
                zBuffer[i].get(0, tmp, 0, size);
                OutputMath.activate(Activation.SOFTMAX, tmp, tmp, rows, layout.outWidth[i]);
                aBuffer[i].put(0, tmp, 0, size);
                break;
            case LINEAR:
                break;
            default:
                throw new IllegalStateException("unhandled activation " + layout.activation(i));
        }
    }

    /**
     * Backward pass after {@link #forward}: {@code dLogits} is the gradient of the loss with respect
     * to the output layer's pre-activations. Writes every weight and bias gradient into the flat
     * gradient vector.
     */
    void backward(float[] dLogits, int rows) {
        Views v = views(rows);
        int last = layout.last;
        int out = layout.outputs();
        dzBuffer[last].put(0, dLogits, 0, rows * out);
        // The output bias gradient is a column sum of a matrix already in Java: no native call needed.
        float[] db = scratch(out);
        java.util.Arrays.fill(db, 0, out, 0f);
        for (int r = 0, base = 0; r < rows; r++, base += out) {
            for (int j = 0; j < out; j++) {
                db[j] += dLogits[base + j];
            }
        }
        gradBuffer.put(layout.biasOffset[last], db, 0, out);
        for (int i = last; i >= 0; i--) {
            INDArray input = i == 0 ? v.x : v.a[i - 1];
            if (layout.isDense(i)) {
                if (i != last) {
                    activationBackward(i, v, rows);
                    Nd4j.gemm(v.ones, v.dz[i], biasGrads[i], false, false, 1.0, 0.0);
                }
                Nd4j.gemm(input, v.dz[i], weightGrads[i], true, false, 1.0, 0.0);
                if (i > 0) {
                    Nd4j.gemm(v.dz[i], weights[i], v.g[i - 1], false, true, 1.0, 0.0);
                }
            } else if (i > 0) {
                v.g[i].mul(v.mask[i], v.g[i - 1]);
            }
        }
    }

    private void activationBackward(int i, Views v, int rows) {
        INDArray z = v.z[i];
        INDArray g = v.g[i];
        INDArray dz = v.dz[i];
        switch (layout.activation(i)) {
            case RELU:
                Nd4j.exec(new LeakyReLUBp(z, g, dz, 0.0));
                break;
            case LEAKY_RELU:
                Nd4j.exec(new LeakyReLUBp(z, g, dz, Activation.LEAKY_SLOPE));
                break;
            case TANH:
                Nd4j.exec(new TanhDerivative(z, g, dz));
                break;
            case SIGMOID:
                Nd4j.exec(new SigmoidDerivative(z, g, dz));
                break;
            case SOFTMAX:
                int w = layout.outWidth[i];
                int size = rows * w;
                float[] a = scratch(size);
                float[] grad = scratch2(size);
                aBuffer[i].get(0, a, 0, size);
                gBuffer[i].get(0, grad, 0, size);
                OutputMath.softmaxBackward(a, grad, grad, rows, w);
                dzBuffer[i].put(0, grad, 0, size);
                break;
            case LINEAR:
                break;
            default:
                throw new IllegalStateException("unhandled activation " + layout.activation(i));
        }
    }

    INDArray params() {
        return params;
    }

    INDArray grads() {
        return grads;
    }

    FloatBuffer paramBuffer() {
        return paramBuffer;
    }

    FloatBuffer gradBuffer() {
        return gradBuffer;
    }
}
