package io.streamlearn.learn;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.tensor.SparseRows;
import java.nio.FloatBuffer;

/**
 * The training state behind a {@link Learner} whose {@link FeatureLayout} has sparse fields: the
 * logical parameter vector (laid out as {@link SparseLayout} says), the inner network's copy of its
 * non-table part, the optimizer, and batch buffers that grow as {@link BatchBuffers}' do. A step is
 * the sparse stage's gather, the inner network's passes, a scatter into the touched table rows, and
 * an optimizer step over the non-table parameters and those rows only ({@link Optimizer#applyRanges}).
 * Not thread-safe.
 */
final class SparseLearner {

  final SparseLayout layout;
  final float[] params;
  final Optimizer optimizer;
  private final TrainingConfig config;
  private final float[] innerParams;
  private final FloatBuffer innerNative;
  private final float[] grads;
  private final int targetsPerRow;
  private SparseNetwork network;
  private SparseNetwork inference;
  int capacity;
  float[] logits;
  float[] outputs;
  float[] dLogits;
  float[] targets;
  private int[] rangeStart = new int[64];
  private int[] rangeEnd = new int[64];
  /** Dense (one-hot) rows handed to the float[] methods, converted. */
  private final SparseRows converted;

  SparseLearner(TrainingConfig config) {
    this.config = config;
    this.layout = new SparseLayout(config.spec(), config.featureLayout());
    this.params = layout.initialParameters(config.seed());
    this.innerParams = layout.innerOf(params);
    NativeBlas.load();
    this.innerNative = Network.allocate(layout.inner.weightCount);
    this.grads = new float[layout.total];
    this.targetsPerRow = config.loss().targetsPerRow(layout.outputs());
    this.optimizer = new Optimizer(config.optimizer(), layout.total, layout.weightCount);
    this.converted = new SparseRows(config.featureLayout(), config.maxBatchSize());
    allocate(config.maxBatchSize());
    sync();
  }

  private void allocate(int rows) {
    int outs = layout.outputs();
    network = new SparseNetwork(layout, innerParams, innerNative, true, rows, config.seed());
    logits = new float[rows * outs];
    outputs = new float[rows * outs];
    dLogits = new float[rows * outs];
    targets = new float[rows * targetsPerRow];
    capacity = rows;
  }

  /** Makes room for a batch of {@code rows} rows (at least doubling, as {@link BatchBuffers} does). */
  void ensure(int rows) {
    if (rows > capacity) {
      allocate((int) Math.min(Integer.MAX_VALUE / Math.max(layout.innerInputs(), 64), Math.max(rows, 2L * capacity)));
    }
  }

  /** After the logical parameters changed: refreshes the inner network's Java and native copies. */
  void sync() {
    layout.toInner(params, innerParams);
    innerNative.put(0, innerParams, 0, layout.inner.weightCount);
  }

  /**
   * One optimizer step on {@code x} (all its rows) with float targets starting at row 0 of
   * {@code y}; as {@link Learner}'s step: returns the loss before the update and changes nothing when
   * it is not finite.
   */
  double step(SparseRows x, float[] y, float[] predictions, double lr) {
    int rows = x.rows();
    ensure(rows);
    int outs = layout.outputs();
    Activation act = layout.outputActivation();
    network.forward(x, 0, rows, params, Preprocessing.identity(), logits, optimizer.step());
    OutputMath.activate(act, logits, outputs, rows, outs);
    if (predictions != null) {
      System.arraycopy(outputs, 0, predictions, 0, rows * outs);
    }
    double loss = OutputMath.loss(config.loss(), act, logits, outputs, y, rows, outs, dLogits);
    if (!Double.isFinite(loss)) {
      return loss;
    }
    network.backward(dLogits, x, 0, rows, grads);
    int count = ranges();
    optimizer.applyRanges(params, grads, rangeStart, rangeEnd, count, lr);
    sync();
    return loss;
  }

  /** The ranges the last backward pass wrote: every non-table parameter and the touched table rows. */
  private int ranges() {
    int touched = network.touchedCount();
    if (rangeStart.length < touched + 2) {
      rangeStart = new int[touched * 2 + 2];
      rangeEnd = new int[touched * 2 + 2];
    }
    int count = 0;
    if (layout.tableOffset > 0) {
      rangeStart[count] = 0;
      rangeEnd[count++] = layout.tableOffset;
    }
    int[] rows = network.touchedRows();
    int w = layout.rowWidth;
    for (int i = 0; i < touched; i++) {
      int start = layout.tableOffset + rows[i] * w;
      rangeStart[count] = start;
      rangeEnd[count++] = start + w;
    }
    rangeStart[count] = layout.tableEnd;
    rangeEnd[count++] = layout.total;
    return count;
  }

  /**
   * For gradient checks: the loss and the full logical gradient (zero for untouched table rows),
   * with the current step's dropout masks, without updating.
   */
  double lossAndGradient(SparseRows x, float[] y, float[] gradient) {
    int rows = x.rows();
    ensure(rows);
    int outs = layout.outputs();
    Activation act = layout.outputActivation();
    network.forward(x, 0, rows, params, Preprocessing.identity(), logits, optimizer.step());
    OutputMath.activate(act, logits, outputs, rows, outs);
    double loss = OutputMath.loss(config.loss(), act, logits, outputs, y, rows, outs, gradient == null ? null : dLogits);
    if (gradient != null) {
      java.util.Arrays.fill(grads, layout.tableOffset, layout.tableEnd, 0f);
      network.backward(dLogits, x, 0, rows, grads);
      System.arraycopy(grads, 0, gradient, 0, layout.total);
    }
    return loss;
  }

  /** Logits of every row of {@code x}, without dropout, in chunks of the configured batch size. */
  void logits(SparseRows x, float[] z) {
    if (inference == null) {
      inference = new SparseNetwork(layout, innerParams, innerNative, false, config.maxBatchSize(), config.seed());
    }
    int outs = layout.outputs();
    // the training logits hold at least maxBatchSize rows and are free between steps
    float[] chunk = logits;
    for (int start = 0; start < x.rows(); start += config.maxBatchSize()) {
      int n = Math.min(config.maxBatchSize(), x.rows() - start);
      inference.forward(x, start, n, params, Preprocessing.identity(), chunk, 0);
      System.arraycopy(chunk, 0, z, start * outs, n * outs);
    }
  }

  /**
   * {@code rows} one-hot rows of {@code x} from row {@code xRow} (dense columns, then every sparse
   * slot, {@link FeatureLayout#totalWidth()} wide) as sparse rows: the non-zero slots become entries.
   * The result is reused by the next call.
   */
  SparseRows fromDense(float[] x, int xRow, int rows) {
    return fromDense(x, xRow, rows, converted);
  }

  static SparseRows fromDense(float[] x, int xRow, int rows, SparseRows into) {
    FeatureLayout features = into.layout();
    int width = features.totalWidth();
    int dense = features.denseWidth();
    into.clear();
    for (int r = 0; r < rows; r++) {
      into.addRow();
      int base = (xRow + r) * width;
      for (int j = 0; j < dense; j++) {
        into.setDense(j, x[base + j]);
      }
      for (int j = dense; j < width; j++) {
        float v = x[base + j];
        if (v != 0f) {
          into.addSlot(j - dense, v);
        }
      }
    }
    return into;
  }
}
