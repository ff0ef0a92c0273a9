package io.streamlearn.learn;

import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.nio.FloatBuffer;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutable, single-threaded training state: the parameters of one network, its optimizer's state and
 * step counter, and preallocated buffers for batches of up to {@link TrainingConfig#maxBatchSize()}
 * rows. A fixed seed gives bit-identical weights for the same sequence of batches.
 *
 * <p>{@link #fit} is one optimizer step on one mini-batch. It returns the mean loss computed before
 * the update; if that loss is NaN or infinite the parameters and the optimizer state are left
 * untouched, so the caller can discard the batch (and raise an alert).
 */
public final class Learner {

    private static final Logger LOG = LoggerFactory.getLogger(Learner.class);

    private final TrainingConfig config;
    private final Layout layout;
    /** The parameters: Java master copy, updated by the optimizer, mirrored into native memory. */
    private final float[] params;
    private final FloatBuffer nativeParams;
    private final Network network;
    private final Optimizer optimizer;
    private final float[] logits;
    private final float[] outputs;
    private final float[] dLogits;
    private final float[] yScratch;
    private Network inference;
    private double learningRate;
    private long nonFiniteBatches;

    /**
     * A learner with seeded initial parameters, drawn as each dense layer's {@link WeightInit} says
     * (by default He-uniform for relu layers, Glorot-uniform otherwise, zero biases).
     */
    public Learner(TrainingConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
        this.layout = new Layout(config.spec());
        int max = config.maxBatchSize();
        this.params = layout.initialParameters(config.seed());
        NativeBlas.configure();
        this.nativeParams = Network.allocate(layout.weightCount);
        this.network = new Network(layout, params, nativeParams, true, max, config.seed());
        network.syncWeights(nativeParams);
        this.optimizer = new Optimizer(config.optimizer(), layout.total, layout.weightCount);
        int outs = layout.outputs();
        this.logits = new float[max * outs];
        this.outputs = new float[max * outs];
        this.dLogits = new float[max * outs];
        this.yScratch = new float[max * config.loss().targetsPerRow(outs)];
        this.learningRate = config.optimizer().learningRate();
        LOG.debug("learner for {} with {} parameters, {}", config.spec().text(), layout.total, config.optimizer().kind());
    }

    /** The configuration this learner was built with (its optimizer's base rate is the initial one). */
    public TrainingConfig config() {
        return config;
    }

    /**
     * One optimizer step on one mini-batch.
     *
     * @param x    {@code rows * inputs} features, row-major, already preprocessed
     * @param y    for softmax cross-entropy one class index per row (as a float); otherwise
     *             {@code rows * outputs} targets
     * @param rows 1 to {@code maxBatchSize}
     * @return the mean loss of the batch before the update
     * @throws IllegalArgumentException on a bad row count, short arrays or an invalid label
     */
    public float fit(float[] x, float[] y, int rows) {
        return fit(x, y, rows, null);
    }

    /**
     * As {@link #fit(float[], float[], int)}, and also writes the network's outputs for the batch as
     * computed before the update (with dropout active) into {@code predictions}
     * ({@code rows * outputs}), which gives test-then-train (prequential) evaluation for free.
     *
     * @param predictions where to write the pre-update outputs, or null
     */
    public float fit(float[] x, float[] y, int rows, float[] predictions) {
        return fit(x, 0, y, 0, rows, predictions);
    }

    /**
     * As {@link #fit(float[], float[], int, float[])} on a batch that starts at row offsets inside
     * larger arrays (a data set, a ring buffer), read in place without an intermediate copy.
     *
     * @param xRow first row of the batch in {@code x}
     * @param yRow first row of the batch in {@code y}
     */
    public float fit(float[] x, int xRow, float[] y, int yRow, int rows, float[] predictions) {
        int ins = config.spec().inputs();
        int outs = layout.outputs();
        int targetsPerRow = config.loss().targetsPerRow(outs);
        if (xRow < 0 || yRow < 0) {
            throw new IllegalArgumentException("xRow and yRow must be >= 0, got " + xRow + " and " + yRow);
        }
        checkBatch(x, xRow, y, yRow, rows);
        if (predictions != null && predictions.length < rows * outs) {
            throw new IllegalArgumentException("predictions must hold " + rows * outs + " values, got " + predictions.length);
        }
        float[] targets = y;
        if (yRow != 0) {
            System.arraycopy(y, yRow * targetsPerRow, yScratch, 0, rows * targetsPerRow);
            targets = yScratch;
        }
        long step = optimizer.step();
        network.forward(x, xRow * ins, rows, logits, step);
        Activation act = layout.activation(layout.last);
        OutputMath.activate(act, logits, outputs, rows, outs);
        if (predictions != null) {
            System.arraycopy(outputs, 0, predictions, 0, rows * outs);
        }
        double loss = OutputMath.loss(config.loss(), act, logits, outputs, targets, rows, outs, dLogits);
        if (!Double.isFinite(loss)) {
            nonFiniteBatches++;
            LOG.warn("non-finite loss {} at step {}; batch of {} rows skipped, parameters unchanged", loss, step, rows);
            return (float) loss;
        }
        network.backward(dLogits, rows);
        optimizer.apply(params, network.grads(), network.nativeWeightGrads(), nativeParams, currentLearningRate());
        return (float) loss;
    }

    private void checkBatch(float[] x, float[] y, int rows) {
        checkBatch(x, 0, y, 0, rows);
    }

    private void checkBatch(float[] x, int xRow, float[] y, int yRow, int rows) {
        if (rows < 1 || rows > config.maxBatchSize()) {
            throw new IllegalArgumentException("rows must be in [1, maxBatchSize=" + config.maxBatchSize() + "], got " + rows);
        }
        long ins = config.spec().inputs();
        if (x == null || x.length < (xRow + (long) rows) * ins) {
            throw new IllegalArgumentException("x must hold (xRow+rows)*inputs = " + (xRow + (long) rows) * ins
                    + " values, got " + (x == null ? "null" : x.length));
        }
        long perRow = config.loss().targetsPerRow(layout.outputs());
        if (y == null || y.length < (yRow + (long) rows) * perRow) {
            throw new IllegalArgumentException("y must hold " + (yRow + (long) rows) * perRow + " targets for rows "
                    + yRow + ".." + (yRow + rows - 1) + ", got " + (y == null ? "null" : y.length));
        }
    }

    /**
     * Mean loss of a batch with the current parameters, without dropout and without updating.
     */
    public double evaluate(float[] x, float[] y, int rows) {
        checkBatch(x, y, rows);
        float[] p = new float[rows * layout.outputs()];
        float[] z = new float[rows * layout.outputs()];
        forwardInference(x, rows, z);
        OutputMath.activate(layout.activation(layout.last), z, p, rows, layout.outputs());
        return OutputMath.loss(config.loss(), layout.activation(layout.last), z, p, y, rows, layout.outputs(), null);
    }

    /**
     * Outputs of the network (softmax probabilities, sigmoid outputs, regression values) in inference
     * mode: no dropout. Any number of rows; large inputs are processed in chunks of maxBatchSize.
     *
     * @param out receives {@code rows * outputs} values
     */
    public void predict(float[] x, int rows, float[] out) {
        int outs = layout.outputs();
        if (rows < 1 || x == null || x.length < rows * config.spec().inputs() || out == null || out.length < rows * outs) {
            throw new IllegalArgumentException("predict needs rows >= 1, x of rows*inputs and out of rows*outputs values, got rows="
                    + rows + " x=" + (x == null ? "null" : x.length) + " out=" + (out == null ? "null" : out.length));
        }
        forwardInference(x, rows, out);
        OutputMath.activate(layout.activation(layout.last), out, out, rows, outs);
    }

    /** Logits for any number of rows with dropout off. */
    private void forwardInference(float[] x, int rows, float[] z) {
        if (inference == null) {
            inference = new Network(layout, params, nativeParams, false, config.maxBatchSize(), config.seed());
        }
        int ins = config.spec().inputs();
        int outs = layout.outputs();
        for (int start = 0; start < rows; start += config.maxBatchSize()) {
            int n = Math.min(config.maxBatchSize(), rows - start);
            inference.forward(x, start * ins, n, logits, 0);
            System.arraycopy(logits, 0, z, start * outs, n * outs);
        }
    }

    /** Copies of the parameters, named {@code layers.<i>.weight} ({@code [in, out]}) and {@code layers.<i>.bias}. */
    public List<NamedTensor> parameters() {
        return layout.toTensors(flatParameters());
    }

    /**
     * Replaces every parameter; the optimizer state is kept.
     *
     * @throws IllegalArgumentException on a missing, unknown, misshapen or non-finite tensor
     */
    public void setParameters(List<NamedTensor> parameters) {
        setFlatParameters(layout.fromTensors(parameters));
    }

    float[] flatParameters() {
        return params.clone();
    }

    void setFlatParameters(float[] flat) {
        System.arraycopy(flat, 0, params, 0, layout.total);
        network.syncWeights(nativeParams);
    }

    /**
     * For gradient checks: the mean loss of a batch and its gradient (flat, in parameter layout, before
     * L2 and clipping), with the dropout masks of the current step, without updating anything.
     */
    double lossAndGradient(float[] x, float[] y, int rows, float[] gradient) {
        checkBatch(x, y, rows);
        int outs = layout.outputs();
        network.forward(x, 0, rows, logits, optimizer.step());
        Activation act = layout.activation(layout.last);
        OutputMath.activate(act, logits, outputs, rows, outs);
        double loss = OutputMath.loss(config.loss(), act, logits, outputs, y, rows, outs, gradient == null ? null : dLogits);
        if (gradient != null) {
            network.backward(dLogits, rows);
            network.collectWeightGrads();
            System.arraycopy(network.grads(), 0, gradient, 0, layout.total);
        }
        return loss;
    }

    /** The optimizer's step counter and slot vectors, for a checkpoint. */
    public OptimizerState optimizerState() {
        return optimizer.export();
    }

    /**
     * Restores what {@link #optimizerState()} exported (from a learner with the same spec and optimizer kind).
     *
     * @throws IllegalArgumentException if the slots do not match this learner's optimizer
     */
    public void restoreOptimizerState(OptimizerState state) {
        optimizer.restore(state);
    }

    /** The base learning rate (before the schedule's factor); starts at the configured rate. */
    public double learningRate() {
        return learningRate;
    }

    /** Sets the base learning rate, e.g. from {@link ReduceLrOnPlateau}. */
    public void setLearningRate(double lr) {
        if (!(lr > 0.0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + lr);
        }
        this.learningRate = lr;
    }

    /** The rate the next step will use: the base rate times the schedule's factor at the current step. */
    public double currentLearningRate() {
        return learningRate * config.optimizer().schedule().factor(optimizer.step());
    }

    /** Optimizer steps taken (batches trained on, not counting skipped non-finite ones). */
    public long steps() {
        return optimizer.step();
    }

    /** Batches skipped because their loss was NaN or infinite. */
    public long nonFiniteBatches() {
        return nonFiniteBatches;
    }

    /** An immutable inference model with a copy of the current parameters and the given preprocessing. */
    public Model snapshot(Preprocessing preprocessor) {
        return Model.ofFlat(config.spec(), layout, flatParameters(), preprocessor);
    }
}
