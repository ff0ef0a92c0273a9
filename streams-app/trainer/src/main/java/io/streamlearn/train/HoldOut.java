package io.streamlearn.train;

import io.streamlearn.app.IdHash;
import io.streamlearn.features.BadRecordException;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.features.InputRecord;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.metrics.ConfusionMatrix;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.SparseRows;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The hold-out set: a deterministic share of events, chosen by a hash of their id, that is never
 * trained on and measures every candidate version. The most recent {@code capacity} of them are
 * kept in a ring; a candidate and the live version are scored on the same ring when a version is
 * due.
 *
 * <p>The choice is a pure function of the id ({@link #isHeldOut}), so any consumer can tell which
 * events the trainer held out. Not thread-safe.
 *
 * <p>Over raw records the ring keeps the decoded records themselves, not featurized rows, and each
 * model is scored on them featurized with its own pipeline ({@link #score(Model, FrozenPipeline)}):
 * the candidate with the pipeline frozen with it, the live version with the one it was published
 * with. So the gate compares two versions as inference would serve them, and a hold-out row never
 * fits the pipeline (it is only ever featurized), as it never trains the weights. Kept this way,
 * the ring also costs what the records hold, not {@code capacity x totalWidth} floats of mostly
 * zeros over wide hashed fields.
 */
public final class HoldOut {
  private static final int BUCKETS = 1_000_000;

  private final double fraction;
  private final int features;
  private final int outputs;
  private final Signature.Task task;
  private final float[] x;
  private final float[] y;
  /** The kept raw records (over raw records), else null. */
  private final InputRecord[] records;
  private int next;
  private int size;

  /**
   * A measurement of one model on the hold-out set.
   *
   * @param confusion for classification, the (actual, predicted) counts; null for regression
   */
  record Score(double accuracy, double loss, int examples, ConfusionMatrix confusion) {
    Score(double accuracy, double loss, int examples) {
      this(accuracy, loss, examples, null);
    }

    /**
     * Adds the per-class figures under {@code prefix}: {@code Precision.<c>} and {@code Recall.<c>}
     * where known, and every cell of the confusion matrix as {@code Confusion.<actual>.<predicted>}.
     */
    void putPerClass(Map<String, Double> metrics, String prefix) {
      if (confusion == null || confusion.total() == 0) {
        return;
      }
      int classes = confusion.classes();
      for (int c = 0; c < classes; c++) {
        Prequential.putIfKnown(metrics, prefix + "Precision." + c, confusion.precision(c));
        Prequential.putIfKnown(metrics, prefix + "Recall." + c, confusion.recall(c));
      }
      for (int a = 0; a < classes; a++) {
        for (int p = 0; p < classes; p++) {
          metrics.put(prefix + "Confusion." + a + "." + p, (double) confusion.count(a, p));
        }
      }
    }
  }

  HoldOut(double fraction, int capacity, int features, int outputs, Signature.Task task) {
    this.fraction = fraction;
    this.features = features;
    this.outputs = outputs;
    this.task = task;
    this.x = new float[capacity * features];
    this.y = new float[capacity];
    this.records = null;
  }

  /** A hold-out set of raw records, scored through each model's own pipeline. */
  HoldOut(double fraction, int capacity, int outputs, Signature.Task task) {
    this.fraction = fraction;
    this.features = 0;
    this.outputs = outputs;
    this.task = task;
    this.x = new float[0];
    this.y = new float[capacity];
    this.records = new InputRecord[capacity];
  }

  /** Keeps one held-out raw record with its label (class index or target), replacing the oldest when full. */
  void addRaw(InputRecord record, float label) {
    records[next] = record;
    y[next] = label;
    next = (next + 1) % y.length;
    size = Math.min(size + 1, y.length);
  }

  /**
   * Whether the event with this id is held out when a share {@code fraction} is: FNV-1a 64 of the
   * id's UTF-8 bytes, bucketed into a million, below {@code fraction} of them.
   */
  public static boolean isHeldOut(String id, double fraction) {
    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
    return isHeldOut(utf8, 0, utf8.length, fraction);
  }

  /** As {@link #isHeldOut(String, double)}, on the id's UTF-8 bytes {@code [from, from + length)}. */
  static boolean isHeldOut(byte[] utf8, int from, int length, double fraction) {
    if (fraction <= 0) {
      return false;
    }
    return IdHash.bucket(IdHash.fnv1a(utf8, from, length), BUCKETS) < (long) (fraction * BUCKETS);
  }

  /** The share of events held out. */
  double fraction() {
    return fraction;
  }

  boolean isHeldOut(String id) {
    return isHeldOut(id, fraction);
  }

  /** Keeps one held-out example (raw features at {@code from}), replacing the oldest when full. */
  void add(float[] source, int from, float label) {
    System.arraycopy(source, from, x, next * this.features, this.features);
    y[next] = label;
    next = (next + 1) % y.length;
    size = Math.min(size + 1, y.length);
  }

  /** Examples kept. */
  int size() {
    return size;
  }

  /** Forgets every example, e.g. after a drift made them describe an old concept. */
  void clear() {
    size = 0;
    next = 0;
    if (records != null) {
      java.util.Arrays.fill(records, null);
    }
  }

  /**
   * Scores a model on the kept examples: over raw records featurized with {@code pipeline} (the
   * model's own), else as {@link #score(Model)}.
   */
  Score score(Model model, FrozenPipeline pipeline) {
    if (records == null || size == 0) {
      return score(model);
    }
    if (pipeline == null) {
      throw new IllegalArgumentException("a hold-out set of raw records scores a model through its pipeline");
    }
    SparseRows rows = new SparseRows(pipeline.layout(), size);
    float[] labels = new float[size];
    int kept = 0;
    for (int i = 0; i < size; i++) {
      try {
        pipeline.featurize(records[i], rows);
        labels[kept++] = y[i];
      } catch (BadRecordException e) {
        // checked with the trainer's pipeline when kept; another version's (same spec) reads it alike
      }
    }
    if (kept == 0) {
      return new Score(Double.NaN, Double.NaN, 0);
    }
    float[] out = new float[kept * outputs];
    model.predict(rows, out);
    return score(out, labels, kept);
  }

  /** Scores a model (it applies its own preprocessing) on the kept examples. */
  Score score(Model model) {
    if (size == 0) {
      return new Score(Double.NaN, Double.NaN, 0);
    }
    if (records != null) {
      throw new IllegalStateException("a hold-out set of raw records scores a model through its pipeline");
    }
    float[] out = new float[size * outputs];
    model.predict(x, size, out);
    return score(out, y, size);
  }

  private Score score(float[] out, float[] y, int size) {
    boolean classification = task == Signature.Task.CLASSIFICATION;
    // one sigmoid output is a binary classifier: classes 0 and 1
    ConfusionMatrix confusion = classification ? new ConfusionMatrix(Math.max(2, outputs)) : null;
    long correct = 0;
    double lossSum = 0;
    int finite = 0;
    for (int i = 0; i < size; i++) {
      // One absurd held-out input (finite but overflowing) must not blind the gate for good.
      double l = Prequential.exampleLoss(task, out, i * outputs, outputs, y[i]);
      if (Double.isFinite(l)) {
        lossSum += l;
        finite++;
      }
      if (classification) {
        int predicted = Prequential.predictedClass(out, i * outputs, outputs);
        int actual = (int) y[i];
        if (predicted == actual) {
          correct++;
        }
        if (actual >= 0 && actual < confusion.classes()) { // the decoder admits only valid classes
          confusion.add(actual, predicted);
        }
      }
    }
    double accuracy = classification ? (double) correct / size : Double.NaN;
    return new Score(accuracy, finite == 0 ? Double.NaN : lossSum / finite, size, confusion);
  }
}
