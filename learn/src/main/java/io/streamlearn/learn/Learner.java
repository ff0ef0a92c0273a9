package io.streamlearn.learn;

import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.nio.FloatBuffer;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutable, single-threaded training state: the parameters of one network, its optimizer's state and
 * step counter, and batch buffers preallocated for {@link TrainingConfig#maxBatchSize()} rows. A
 * larger batch is accepted too: the buffers then grow once (to at least twice their size), which
 * allocates, so a caller that cares about allocation in its loop sizes {@code maxBatchSize} to its
 * largest batch. A fixed seed gives bit-identical weights for the same sequence of batches,
 * whatever the buffers' size.
 *
 * <p>{@link #fit} is one optimizer step on one mini-batch. It returns the mean loss computed before
 * the update; if that loss is NaN or infinite the parameters and the optimizer state are left
 * untouched, so the caller can discard the batch (and raise an alert). Class labels are given as
 * {@code int[]} (one class index per row); {@code float[]} targets are for regression and for
 * binary cross-entropy on several outputs.
 */
public final class Learner {

  private static final Logger LOG = LoggerFactory.getLogger(Learner.class);

  private final TrainingConfig config;
  private final Layout layout;
  /** The parameters: Java master copy, updated by the optimizer, mirrored into native memory. */
  private final float[] params;
  private final FloatBuffer nativeParams;
  private final Optimizer optimizer;
  /** The training network and batch arrays; they grow on a larger batch, so always read through it. */
  private final BatchBuffers batch;
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
    this.params = layout.initialParameters(config.seed());
    NativeBlas.load();
    this.nativeParams = Network.allocate(layout.weightCount);
    this.batch = new BatchBuffers(layout, params, nativeParams, config.loss().targetsPerRow(layout.outputs()),
        config.maxBatchSize(), config.seed());
    batch.network.syncWeights(nativeParams);
    this.optimizer = new Optimizer(config.optimizer(), layout.trainable, layout.weightCount);
    this.learningRate = config.optimizer().learningRate();
    LOG.debug("learner for {} with {} parameters, {}", config.spec().text(), layout.total, config.optimizer().kind());
  }

  /** Rows the batch buffers hold now: {@code maxBatchSize}, or more after a larger batch. */
  public int batchCapacity() {
    return batch.capacity;
  }

  /** The configuration this learner was built with (its optimizer's base rate is the initial one). */
  public TrainingConfig config() {
    return config;
  }

  /**
   * One optimizer step on one mini-batch of class labels.
   *
   * @param x      {@code rows * inputs} features, row-major, already preprocessed
   * @param labels one class index per row: in {@code [0, outputs)} for softmax cross-entropy, 0 or 1
   *               for binary cross-entropy on one sigmoid output
   * @param rows   >= 1 (more than {@code maxBatchSize} grows the buffers)
   * @return the mean loss of the batch before the update
   * @throws IllegalArgumentException on a bad row count, short arrays, a label out of range, or a
   *                                  loss that does not take class labels (MSE, several sigmoids)
   */
  public float fit(float[] x, int[] labels, int rows) {
    return fit(x, 0, labels, 0, rows, null);
  }

  /**
   * As {@link #fit(float[], int[], int)}, and also writes the pre-update outputs into
   * {@code predictions} (see {@link #fit(float[], float[], int, float[])}).
   */
  public float fit(float[] x, int[] labels, int rows, float[] predictions) {
    return fit(x, 0, labels, 0, rows, predictions);
  }

  /**
   * As {@link #fit(float[], int[], int, float[])} on a batch that starts at row offsets inside
   * larger arrays (a data set, a ring buffer), read in place.
   *
   * @param xRow     first row of the batch in {@code x}
   * @param labelRow first row of the batch in {@code labels}
   */
  public float fit(float[] x, int xRow, int[] labels, int labelRow, int rows, float[] predictions) {
    checkRows(x, xRow, labelRow, rows, predictions);
    if (labels == null || labels.length < labelRow + (long) rows) {
      throw new IllegalArgumentException("labels must hold " + (labelRow + (long) rows) + " values for rows "
          + labelRow + ".." + (labelRow + rows - 1) + ", got " + (labels == null ? "null" : labels.length));
    }
    batch.ensure(rows);
    toTargets(labels, labelRow, rows, batch.targets);
    return step(x, xRow, batch.targets, rows, predictions);
  }

  /**
   * One optimizer step on one mini-batch of float targets.
   *
   * @param x    {@code rows * inputs} features, row-major, already preprocessed
   * @param y    {@code rows * outputs} targets; for softmax cross-entropy one class index per row
   *             as a float (the {@code int[]} form says that more plainly)
   * @param rows >= 1 (more than {@code maxBatchSize} grows the buffers)
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
    int targetsPerRow = config.loss().targetsPerRow(layout.outputs());
    checkRows(x, xRow, yRow, rows, predictions);
    checkTargets(y, yRow, rows);
    batch.ensure(rows);
    float[] targets = y;
    if (yRow != 0) {
      System.arraycopy(y, yRow * targetsPerRow, batch.targets, 0, rows * targetsPerRow);
      targets = batch.targets;
    }
    return step(x, xRow, targets, rows, predictions);
  }

  /** The step itself, on checked arguments and buffers large enough; {@code y} starts at row 0. */
  private float step(float[] x, int xRow, float[] targets, int rows, float[] predictions) {
    int ins = config.spec().inputs();
    int outs = layout.outputs();
    long step = optimizer.step();
    batch.network.forward(x, xRow * ins, rows, batch.logits, step);
    Activation act = layout.activation(layout.last);
    OutputMath.activate(act, batch.logits, batch.outputs, rows, outs);
    if (predictions != null) {
      System.arraycopy(batch.outputs, 0, predictions, 0, rows * outs);
    }
    double loss = OutputMath.loss(config.loss(), act, batch.logits, batch.outputs, targets, rows, outs, batch.dLogits);
    if (!Double.isFinite(loss)) {
      nonFiniteBatches++;
      LOG.warn("non-finite loss {} at step {}; batch of {} rows skipped, parameters unchanged", loss, step, rows);
      return (float) loss;
    }
    batch.network.backward(batch.dLogits, rows);
    batch.network.commit();
    optimizer.apply(params, batch.network.grads(), batch.network.nativeWeightGrads(), nativeParams, currentLearningRate());
    return (float) loss;
  }

  /** Checks the row count, the offsets, the features and the predictions array of a batch. */
  private void checkRows(float[] x, int xRow, int yRow, int rows, float[] predictions) {
    if (rows < 1) {
      throw new IllegalArgumentException("rows must be >= 1, got " + rows);
    }
    if (xRow < 0 || yRow < 0) {
      throw new IllegalArgumentException("the batch's first rows must be >= 0, got " + xRow + " and " + yRow);
    }
    long ins = config.spec().inputs();
    if (x == null || x.length < (xRow + (long) rows) * ins) {
      throw new IllegalArgumentException("x must hold (xRow+rows)*inputs = " + (xRow + (long) rows) * ins
          + " values, got " + (x == null ? "null" : x.length));
    }
    long outs = layout.outputs();
    if (predictions != null && predictions.length < rows * outs) {
      throw new IllegalArgumentException("predictions must hold " + rows * outs + " values, got " + predictions.length);
    }
  }

  private void checkTargets(float[] y, int yRow, int rows) {
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
    checkRows(x, 0, 0, rows, null);
    checkTargets(y, 0, rows);
    return evaluateChecked(x, y, rows);
  }

  /** As {@link #evaluate(float[], float[], int)} on class labels (see {@link #fit(float[], int[], int)}). */
  public double evaluate(float[] x, int[] labels, int rows) {
    checkRows(x, 0, 0, rows, null);
    if (labels == null || labels.length < rows) {
      throw new IllegalArgumentException("labels must hold " + rows + " values, got "
          + (labels == null ? "null" : labels.length));
    }
    float[] y = new float[rows];
    toTargets(labels, 0, rows, y);
    return evaluateChecked(x, y, rows);
  }

  /**
   * Writes class labels as the float targets the losses read, checking that the loss takes class
   * labels and that each is in range.
   */
  private void toTargets(int[] labels, int from, int rows, float[] targets) {
    int classes = classLabels();
    for (int r = 0; r < rows; r++) {
      int label = labels[from + r];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("label of row " + (from + r) + " must be a class index in [0, "
            + classes + "), got " + label);
      }
      targets[r] = label;
    }
  }

  /** How many classes an int label can name under this learner's loss. */
  private int classLabels() {
    int outs = layout.outputs();
    if (config.loss() == Loss.SOFTMAX_CROSS_ENTROPY) {
      return outs;
    }
    if (config.loss() == Loss.BINARY_CROSS_ENTROPY && outs == 1) {
      return 2;
    }
    throw new IllegalArgumentException("class labels need softmax cross-entropy, or binary cross-entropy on one"
        + " output; loss " + config.loss() + " on " + outs + " outputs takes float targets");
  }

  private double evaluateChecked(float[] x, float[] y, int rows) {
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
      inference.forward(x, start * ins, n, batch.logits, 0);
      System.arraycopy(batch.logits, 0, z, start * outs, n * outs);
    }
  }

  /**
   * Copies of the parameters, named {@code layers.<i>.weight} and {@code layers.<i>.bias} (dense:
   * {@code [in, out]} and {@code [out]}; conv2d: {@code [filters, inChannels, k, k]} and
   * {@code [filters]}), and for batch norm {@code layers.<i>.gamma}, {@code .beta},
   * {@code .runningMean} and {@code .runningVar} (the running statistics are not trained but belong
   * to the model: {@link Model#of} needs them).
   */
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
    batch.network.syncWeights(nativeParams);
  }

  /**
   * For gradient checks: the mean loss of a batch and its gradient (flat, in parameter layout, before
   * L2 and clipping), with the dropout masks of the current step, without updating anything.
   */
  double lossAndGradient(float[] x, float[] y, int rows, float[] gradient) {
    checkRows(x, 0, 0, rows, null);
    checkTargets(y, 0, rows);
    batch.ensure(rows);
    int outs = layout.outputs();
    batch.network.forward(x, 0, rows, batch.logits, optimizer.step());
    Activation act = layout.activation(layout.last);
    OutputMath.activate(act, batch.logits, batch.outputs, rows, outs);
    double loss = OutputMath.loss(config.loss(), act, batch.logits, batch.outputs, y, rows, outs, gradient == null ? null : batch.dLogits);
    if (gradient != null) {
      batch.network.backward(batch.dLogits, rows);
      batch.network.collectWeightGrads();
      System.arraycopy(batch.network.grads(), 0, gradient, 0, layout.total);
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

  /**
   * An immutable inference model with a copy of the current parameters and the given preprocessing
   * (the one the training inputs went through, which the model applies to raw inputs).
   */
  public Model snapshot(Preprocessing preprocessor) {
    return Model.ofFlat(config.spec(), layout, flatParameters(), preprocessor);
  }

  /** An immutable inference model with a copy of the current parameters, taking inputs as they are. */
  public Model snapshot() {
    return snapshot(Preprocessing.identity());
  }
}
