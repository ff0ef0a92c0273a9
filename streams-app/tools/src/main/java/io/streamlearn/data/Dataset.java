package io.streamlearn.data;

/**
 * A labelled data set in memory.
 *
 * @param features {@code rows * cols} values, row-major (pixels scaled to [0, 1] for image sets)
 * @param labels   one class index per row
 * @param rows     number of examples
 * @param cols     features per example
 */
public record Dataset(float[] features, int[] labels, int rows, int cols) {

  /** Validates the sizes. Arrays are not copied: data sets are large and only read. */
  public Dataset {
    if (rows < 0 || cols < 1) {
      throw new IllegalArgumentException("rows must be >= 0 and cols >= 1, got rows=" + rows + " cols=" + cols);
    }
    if (features == null || features.length != (long) rows * cols) {
      throw new IllegalArgumentException("features must hold rows*cols = " + (long) rows * cols + " values, got "
          + (features == null ? "null" : features.length));
    }
    if (labels == null || labels.length != rows) {
      throw new IllegalArgumentException("labels must hold " + rows + " values, got " + (labels == null ? "null" : labels.length));
    }
  }

  /** Number of distinct classes assuming labels are 0..max. */
  public int classes() {
    int max = -1;
    for (int label : labels) {
      max = Math.max(max, label);
    }
    return max + 1;
  }
}
