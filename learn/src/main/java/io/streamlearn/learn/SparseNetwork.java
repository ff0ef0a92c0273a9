package io.streamlearn.learn;

import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.tensor.SparseRows;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The compute kernel of a network over sparse fields ({@link SparseLayout}): the sparse stage in
 * front of an inner dense {@link Network}, forward and (when built for training) backward, over
 * buffers preallocated for up to {@code maxRows} rows. Not thread-safe.
 *
 * <p>What a batch costs is what it holds: the sparse stage reads, for each entry, one table row
 * ({@code value * row}, summed), and its backward pass scatters into exactly the rows the batch
 * touched and reports them ({@link #touchedRows()}) so the optimizer updates only those. Nothing is
 * ever multiplied by the zeros of a one-hot vector.
 * <ul>
 *   <li>Without an embedding the gathered sums are the sparse part of the first layer's
 *       pre-activation, handed to the inner network as its {@code firstLayerAdd}; the dense block
 *       goes through the network's own product; the table's gradient is
 *       {@code value * dPreActivation} for each entry.</li>
 *   <li>With an embedding the gathered sums are the network's input after the dense columns; the
 *       table's gradient is {@code value * dInput} of the entry's field.</li>
 * </ul>
 */
final class SparseNetwork {

  private final SparseLayout layout;
  private final int denseWidth;
  private final int rowWidth;
  private final int innerInputs;
  private final int maxRows;
  final Network network;
  /** The inner network's input rows (when they cannot be read in place). */
  private final float[] x;
  /** Without an embedding: the gathered part of the first pre-activation. */
  private final float[] add;
  /** Touched-row bookkeeping: a row is touched in this batch when its stamp equals the epoch. */
  private final int[] stamp;
  private int epoch;
  private int[] touched = new int[16];
  private int touchedCount;
  private Preprocessing scaledBy;
  private float[] scaleOffset;
  private float[] scaleFactor;

  /**
   * @param innerParams the inner network's parameters in Java, laid out as {@link SparseLayout#inner}
   * @param innerNative the same weights in native memory, or null for a private copy
   */
  SparseNetwork(SparseLayout layout, float[] innerParams, FloatBuffer innerNative, boolean training, int maxRows,
      long seed) {
    this.layout = layout;
    this.denseWidth = layout.features.denseWidth();
    this.rowWidth = layout.rowWidth;
    this.innerInputs = layout.innerInputs();
    this.maxRows = maxRows;
    this.network = new Network(layout.inner, innerParams, innerNative, training, maxRows, seed,
        training && layout.embedding);
    this.x = new float[maxRows * innerInputs];
    this.add = layout.embedding ? null : new float[maxRows * rowWidth];
    this.stamp = training ? new int[layout.tableRows] : null;
  }

  int maxRows() {
    return maxRows;
  }

  /**
   * Forward pass over rows {@code from .. from+rows-1} of {@code batch}; the output layer's
   * pre-activations go to {@code logits}.
   *
   * @param params        the logical flat parameters (the table is read from them, in place)
   * @param preprocessing applied to the dense columns (identity: read as they are)
   * @param dropoutStep   with training buffers, the step whose dropout masks to draw
   */
  void forward(SparseRows batch, int from, int rows, float[] params, Preprocessing preprocessing, float[] logits,
      long dropoutStep) {
    float[] dense = batch.dense();
    int[] rowStart = batch.rowStart();
    int[] slots = batch.slots();
    float[] values = batch.values();
    checkSlots(rowStart, slots, from, rows);
    if (layout.embedding) {
      int dim = rowWidth;
      Arrays.fill(x, 0, rows * innerInputs, 0f);
      for (int r = 0; r < rows; r++) {
        int base = r * innerInputs;
        System.arraycopy(dense, (from + r) * denseWidth, x, base, denseWidth);
      }
      scaleDense(preprocessing, rows, innerInputs);
      for (int r = 0; r < rows; r++) {
        int base = r * innerInputs + denseWidth;
        for (int e = rowStart[from + r], end = rowStart[from + r + 1]; e < end; e++) {
          int slot = slots[e];
          float v = values[e];
          int out = base + layout.fieldOf(slot) * dim;
          int row = slot * dim;
          for (int k = 0; k < dim; k++) {
            x[out + k] += v * params[row + k];
          }
        }
      }
      network.forward(x, 0, rows, logits, dropoutStep);
      return;
    }
    int units = rowWidth;
    Arrays.fill(add, 0, rows * units, 0f);
    for (int r = 0; r < rows; r++) {
      int base = r * units;
      for (int e = rowStart[from + r], end = rowStart[from + r + 1]; e < end; e++) {
        float v = values[e];
        int row = layout.tableOffset + slots[e] * units;
        for (int j = 0; j < units; j++) {
          add[base + j] += v * params[row + j];
        }
      }
    }
    if (denseWidth == 0) {
      // the inner network's one phantom input column: zeros (x is never written otherwise)
      network.forward(x, 0, rows, logits, dropoutStep, add);
    } else if (preprocessing.isIdentity()) {
      network.forward(dense, from * denseWidth, rows, logits, dropoutStep, add);
    } else {
      System.arraycopy(dense, from * denseWidth, x, 0, rows * denseWidth);
      scaleDense(preprocessing, rows, denseWidth);
      network.forward(x, 0, rows, logits, dropoutStep, add);
    }
  }

  /**
   * SparseRows.addSlot does not check its slot, and a slot past the table would read (and train)
   * another layer's weights without any error: one comparison per entry rules that out.
   */
  private void checkSlots(int[] rowStart, int[] slots, int from, int rows) {
    int limit = layout.tableRows;
    for (int e = rowStart[from], end = rowStart[from + rows]; e < end; e++) {
      if (slots[e] < 0 || slots[e] >= limit) {
        int row = from;
        while (rowStart[row + 1] <= e) {
          row++;
        }
        throw new IllegalArgumentException("row " + row + " has sparse slot " + slots[e] + ", outside the sparse block"
            + " of " + limit + " slots of layout " + layout.features);
      }
    }
  }

  /** Applies the preprocessing to the dense columns of {@code rows} rows of {@link #x}, {@code stride} apart. */
  private void scaleDense(Preprocessing preprocessing, int rows, int stride) {
    if (preprocessing.isIdentity() || denseWidth == 0) {
      return;
    }
    if (preprocessing != scaledBy) {
      // the accessors copy; a model passes the same object every call, so copy once
      scaledBy = preprocessing;
      scaleOffset = preprocessing.offset();
      scaleFactor = preprocessing.scale();
    }
    float[] offset = scaleOffset;
    float[] scale = scaleFactor;
    for (int r = 0, base = 0; r < rows; r++, base += stride) {
      for (int j = 0; j < denseWidth; j++) {
        x[base + j] = (x[base + j] - offset[j]) * scale[j];
      }
    }
  }

  /**
   * Backward pass after {@link #forward} of the same rows: writes the gradient of every non-table
   * parameter into {@code grads} (logical layout) and of every touched table row, overwriting them;
   * the other table rows of {@code grads} are left as they were (stale) and must not be read: use
   * {@link #touchedRows()}.
   */
  void backward(float[] dLogits, SparseRows batch, int from, int rows, float[] grads) {
    network.backward(dLogits, rows);
    network.collectWeightGrads();
    layout.fromInner(network.grads(), grads);
    int[] rowStart = batch.rowStart();
    int[] slots = batch.slots();
    float[] values = batch.values();
    epoch++;
    if (epoch == Integer.MAX_VALUE) {
      Arrays.fill(stamp, 0);
      epoch = 1;
    }
    touchedCount = 0;
    int w = rowWidth;
    for (int e = rowStart[from], end = rowStart[from + rows]; e < end; e++) {
      int slot = slots[e];
      if (stamp[slot] != epoch) {
        stamp[slot] = epoch;
        if (touchedCount == touched.length) {
          touched = Arrays.copyOf(touched, touched.length * 2);
        }
        touched[touchedCount++] = slot;
        int row = layout.tableOffset + slot * w;
        Arrays.fill(grads, row, row + w, 0f);
      }
    }
    if (layout.embedding) {
      float[] gIn = network.inputGrad();
      for (int r = 0; r < rows; r++) {
        int base = r * innerInputs + denseWidth;
        for (int e = rowStart[from + r], end = rowStart[from + r + 1]; e < end; e++) {
          int slot = slots[e];
          float v = values[e];
          int in = base + layout.fieldOf(slot) * w;
          int row = slot * w;
          for (int k = 0; k < w; k++) {
            grads[row + k] += v * gIn[in + k];
          }
        }
      }
    } else {
      float[] d = network.firstLayerPreActivationGrad();
      for (int r = 0; r < rows; r++) {
        int base = r * w;
        for (int e = rowStart[from + r], end = rowStart[from + r + 1]; e < end; e++) {
          float v = values[e];
          int row = layout.tableOffset + slots[e] * w;
          for (int j = 0; j < w; j++) {
            grads[row + j] += v * d[base + j];
          }
        }
      }
    }
  }

  /** The table rows (sparse-block slots) the last {@link #backward} touched, in first-touch order. */
  int[] touchedRows() {
    return touched;
  }

  /** How many of {@link #touchedRows()} are in use. */
  int touchedCount() {
    return touchedCount;
  }
}
