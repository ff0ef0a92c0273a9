package io.streamlearn.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A growable batch of featurized rows in one {@link FeatureLayout}: a row-major dense block and the
 * sparse entries in compressed-row form (per row a run of {@code (slot, value)} pairs, slots counted
 * from the start of the sparse block). The feature pipeline appends rows; the engine reads the arrays
 * in place, so a sparse feature costs what it holds (a weight-row gather), never a product over zeros.
 *
 * <p>Mutable and not thread-safe; {@link #clear()} reuses the arrays. A slot may appear more than once
 * in a row (two tokens hashing together): the engine adds the entries, as a one-hot sum would.
 */
public final class SparseRows {

  private final FeatureLayout layout;
  private final int denseWidth;
  private int rows;
  private float[] dense;
  /** {@code rowStart[r]} .. {@code rowStart[r+1]} are row r's entries; length {@code rows + 1} in use. */
  private int[] rowStart;
  private int[] slots;
  private float[] values;
  private int entries;

  /** An empty batch with room for {@code rowCapacity} rows before it grows. */
  public SparseRows(FeatureLayout layout, int rowCapacity) {
    this.layout = Objects.requireNonNull(layout, "layout");
    if (rowCapacity < 1) {
      throw new IllegalArgumentException("rowCapacity must be >= 1, got " + rowCapacity);
    }
    this.denseWidth = layout.denseWidth();
    this.dense = new float[Math.max(1, rowCapacity * denseWidth)];
    this.rowStart = new int[rowCapacity + 1];
    int perRow = Math.max(1, layout.sparseFields().size());
    this.slots = new int[rowCapacity * perRow];
    this.values = new float[rowCapacity * perRow];
  }

  /** The layout every row follows. */
  public FeatureLayout layout() {
    return layout;
  }

  /** Rows held. */
  public int rows() {
    return rows;
  }

  /** Forgets every row, keeping the arrays. */
  public void clear() {
    rows = 0;
    entries = 0;
  }

  /**
   * Starts a new row with its dense columns zeroed and no sparse entry; the setters below write into
   * it until the next call.
   *
   * @return the new row's index
   */
  public int addRow() {
    if ((rows + 1) * (long) denseWidth > dense.length) {
      dense = Arrays.copyOf(dense, Math.max(dense.length * 2, (rows + 1) * denseWidth));
    }
    if (rows + 2 > rowStart.length) {
      rowStart = Arrays.copyOf(rowStart, rowStart.length * 2);
    }
    Arrays.fill(dense, rows * denseWidth, (rows + 1) * denseWidth, 0f);
    rowStart[rows] = entries;
    rows++;
    rowStart[rows] = entries;
    return rows - 1;
  }

  /** Sets dense column {@code column} of the last row. */
  public void setDense(int column, float value) {
    Objects.checkIndex(column, denseWidth);
    dense[(rows - 1) * denseWidth + column] = value;
  }

  /**
   * Adds {@code value} at slot {@code index} of sparse field {@code field} in the last row.
   *
   * @throws IndexOutOfBoundsException if the field or the index within it is out of range
   */
  public void addSparse(int field, int index, float value) {
    FeatureLayout.SparseField f = layout.sparseFields().get(field);
    Objects.checkIndex(index, f.size());
    addSlot(layout.sparseOffset(field) + index, value);
  }

  /** Adds {@code value} at sparse-block slot {@code slot} (field offset already added) in the last row. */
  public void addSlot(int slot, float value) {
    if (rows == 0) {
      throw new IllegalStateException("addRow() must be called before adding entries");
    }
    if (entries == slots.length) {
      slots = Arrays.copyOf(slots, slots.length * 2);
      values = Arrays.copyOf(values, values.length * 2);
    }
    slots[entries] = slot;
    values[entries] = value;
    entries++;
    rowStart[rows] = entries;
  }

  /** Appends a copy of row {@code row} of {@code other}, which must have the same layout. */
  public void addRowFrom(SparseRows other, int row) {
    if (!other.layout.equals(layout)) {
      throw new IllegalArgumentException("rows of layout " + other.layout + " cannot join a batch of " + layout);
    }
    Objects.checkIndex(row, other.rows);
    addRow();
    System.arraycopy(other.dense, row * denseWidth, dense, (rows - 1) * denseWidth, denseWidth);
    for (int e = other.rowStart[row]; e < other.rowStart[row + 1]; e++) {
      addSlot(other.slots[e], other.values[e]);
    }
  }

  /** The dense block, {@code rows * denseWidth} floats in use (read in place; the array may be longer). */
  public float[] dense() {
    return dense;
  }

  /** Row starts into {@link #slots()}/{@link #values()}: {@code rows + 1} ints in use. */
  public int[] rowStart() {
    return rowStart;
  }

  /** Sparse-block slots of the entries (read in place). */
  public int[] slots() {
    return slots;
  }

  /** Values of the entries (read in place). */
  public float[] values() {
    return values;
  }

  /**
   * The rows as one dense row-major matrix of {@link FeatureLayout#totalWidth()} columns (dense
   * columns, then the sparse block with entries summed): the one-hot form, for references, tests and
   * exported models.
   */
  public float[] toDense() {
    int width = layout.totalWidth();
    float[] out = new float[rows * width];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(dense, r * denseWidth, out, r * width, denseWidth);
      for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
        out[r * width + denseWidth + slots[e]] += values[e];
      }
    }
    return out;
  }
}
