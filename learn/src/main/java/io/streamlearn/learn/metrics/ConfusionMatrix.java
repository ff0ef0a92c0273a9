package io.streamlearn.learn.metrics;

/**
 * Counts of (actual, predicted) class pairs, with accuracy and per-class precision and recall. The
 * trainer publishes the hold-out set's matrix, precision and recall with every model version. Pairs
 * can be removed again, so a caller can keep a matrix over a sliding window.
 */
public final class ConfusionMatrix {

  private final int classes;
  private final long[] counts;
  private long total;

  /** @param classes number of classes, >= 1 */
  public ConfusionMatrix(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be >= 1, got " + classes);
    }
    this.classes = classes;
    this.counts = new long[classes * classes];
  }

  /** Counts one example. */
  public void add(int actual, int predicted) {
    counts[index(actual, predicted)]++;
    total++;
  }

  /** Un-counts one example previously added. */
  public void remove(int actual, int predicted) {
    int i = index(actual, predicted);
    if (counts[i] == 0) {
      throw new IllegalStateException("no example (actual " + actual + ", predicted " + predicted + ") to remove");
    }
    counts[i]--;
    total--;
  }

  private int index(int actual, int predicted) {
    if (actual < 0 || actual >= classes) {
      throw new IllegalArgumentException("actual class must be in [0, " + classes + "), got " + actual);
    }
    if (predicted < 0 || predicted >= classes) {
      throw new IllegalArgumentException("predicted class must be in [0, " + classes + "), got " + predicted);
    }
    return actual * classes + predicted;
  }

  /** Number of classes. */
  public int classes() {
    return classes;
  }

  /** Examples counted. */
  public long total() {
    return total;
  }

  /** Examples of class {@code actual} predicted as {@code predicted}. */
  public long count(int actual, int predicted) {
    return counts[index(actual, predicted)];
  }

  /** Share of examples predicted correctly, NaN when empty. */
  public double accuracy() {
    if (total == 0) {
      return Double.NaN;
    }
    long correct = 0;
    for (int c = 0; c < classes; c++) {
      correct += counts[c * classes + c];
    }
    return (double) correct / total;
  }

  /** Of the examples predicted as {@code c}, the share that are {@code c}; NaN if none was predicted as {@code c}. */
  public double precision(int c) {
    long predicted = 0;
    for (int a = 0; a < classes; a++) {
      predicted += counts[index(a, c)];
    }
    return predicted == 0 ? Double.NaN : (double) counts[index(c, c)] / predicted;
  }

  /** Of the examples of class {@code c}, the share predicted as {@code c}; NaN if there were none. */
  public double recall(int c) {
    long actual = 0;
    for (int p = 0; p < classes; p++) {
      actual += counts[index(c, p)];
    }
    return actual == 0 ? Double.NaN : (double) counts[index(c, c)] / actual;
  }

  /** A copy of the counts, {@code [actual][predicted]}. */
  public long[][] toArray() {
    long[][] result = new long[classes][classes];
    for (int a = 0; a < classes; a++) {
      System.arraycopy(counts, a * classes, result[a], 0, classes);
    }
    return result;
  }

  /** Forgets every example. */
  public void reset() {
    java.util.Arrays.fill(counts, 0);
    total = 0;
  }
}
