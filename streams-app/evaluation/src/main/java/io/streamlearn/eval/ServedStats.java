package io.streamlearn.eval;

import io.streamlearn.schema.Evaluation;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The running sums behind the served metrics of one (version, alias, window): counts, log-loss sum,
 * the ten confidence bins of the expected calibration error, per-class support and hits, and the
 * absolute and squared errors of regression. Leaked evaluations are only counted. Sums, not
 * ratios, so two of them merge and a store keeps them exactly; {@link #encode}/{@link #decode} is
 * the store's format. Mutable, not thread-safe.
 */
final class ServedStats {
  /** Equal-width confidence bins of the expected calibration error. */
  static final int BINS = 10;
  private static final byte FORMAT = 1;

  long evaluated;
  long leaked;
  long correct;
  double lossSum;
  double absErrorSum;
  double squaredErrorSum;
  final long[] binCount = new long[BINS];
  final double[] binConfidence = new double[BINS];
  final long[] binCorrect = new long[BINS];
  long[] classSupport = new long[0];
  long[] classHits = new long[0];

  /** Adds one evaluation: a leaked one only to the leaked count. */
  void add(Evaluation e) {
    if (e.getLeaked()) {
      leaked++;
      return;
    }
    evaluated++;
    lossSum += e.getLoss();
    if (e.getPredictedClass() == null) {
      double target = ((Number) e.getLabel()).doubleValue();
      double err = e.getScores().isEmpty() ? Double.NaN : e.getScores().get(0) - target;
      absErrorSum += Math.abs(err);
      squaredErrorSum += err * err;
      return;
    }
    int predicted = e.getPredictedClass();
    int actual = ((Number) e.getLabel()).intValue();
    boolean hit = predicted == actual;
    if (hit) {
      correct++;
    }
    double confidence = confidence(e.getScores(), predicted);
    int bin = Math.min(BINS - 1, (int) Math.floor(confidence * BINS));
    binCount[bin]++;
    binConfidence[bin] += confidence;
    if (hit) {
      binCorrect[bin]++;
    }
    if (actual >= 0) {
      grow(actual + 1);
      classSupport[actual]++;
      if (hit) {
        classHits[actual]++;
      }
    }
  }

  /** The probability the model gave its predicted class (one sigmoid output: p or 1 - p). */
  static double confidence(List<Float> scores, int predicted) {
    if (scores.size() == 1) {
      double p = scores.get(0);
      return predicted == 1 ? p : 1 - p;
    }
    return predicted < scores.size() ? scores.get(predicted) : 0;
  }

  private void grow(int classes) {
    if (classSupport.length < classes) {
      classSupport = Arrays.copyOf(classSupport, classes);
      classHits = Arrays.copyOf(classHits, classes);
    }
  }

  /** Adds another's sums (another window, version or partition) to these. */
  void merge(ServedStats o) {
    evaluated += o.evaluated;
    leaked += o.leaked;
    correct += o.correct;
    lossSum += o.lossSum;
    absErrorSum += o.absErrorSum;
    squaredErrorSum += o.squaredErrorSum;
    for (int b = 0; b < BINS; b++) {
      binCount[b] += o.binCount[b];
      binConfidence[b] += o.binConfidence[b];
      binCorrect[b] += o.binCorrect[b];
    }
    grow(o.classSupport.length);
    for (int c = 0; c < o.classSupport.length; c++) {
      classSupport[c] += o.classSupport[c];
      classHits[c] += o.classHits[c];
    }
  }

  /** Leak-free classifications counted (the evaluations with a predicted class). */
  long classified() {
    long n = 0;
    for (long c : binCount) {
      n += c;
    }
    return n;
  }

  /**
   * The figures: {@code accuracy}, {@code logLoss}, {@code ece} and {@code recall.<class>} when any
   * classification was evaluated, {@code mae} and {@code rmse} for regression; none without examples.
   */
  Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    if (evaluated == 0) {
      return m;
    }
    long classified = classified();
    m.put("evaluated", (double) evaluated);
    m.put("leaked", (double) leaked);
    if (classified > 0) {
      m.put("accuracy", (double) correct / classified);
      m.put("logLoss", lossSum / evaluated);
      double ece = 0;
      for (int b = 0; b < BINS; b++) {
        if (binCount[b] > 0) {
          ece += Math.abs(binConfidence[b] / binCount[b] - (double) binCorrect[b] / binCount[b]) * binCount[b];
        }
      }
      m.put("ece", ece / classified);
      for (int c = 0; c < classSupport.length; c++) {
        if (classSupport[c] > 0) {
          m.put("recall." + c, (double) classHits[c] / classSupport[c]);
        }
      }
    } else {
      m.put("mae", absErrorSum / evaluated);
      m.put("rmse", Math.sqrt(squaredErrorSum / evaluated));
      m.put("mse", lossSum / evaluated);
    }
    return m;
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(1 + 8 * 3 + 8 * 3 + BINS * 24 + 4 + classSupport.length * 16);
    b.put(FORMAT).putLong(evaluated).putLong(leaked).putLong(correct)
        .putDouble(lossSum).putDouble(absErrorSum).putDouble(squaredErrorSum);
    for (int i = 0; i < BINS; i++) {
      b.putLong(binCount[i]).putDouble(binConfidence[i]).putLong(binCorrect[i]);
    }
    b.putInt(classSupport.length);
    for (int c = 0; c < classSupport.length; c++) {
      b.putLong(classSupport[c]).putLong(classHits[c]);
    }
    return b.array();
  }

  static ServedStats decode(byte[] bytes) {
    ServedStats s = new ServedStats();
    if (bytes == null) {
      return s;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte format = b.get();
    if (format != FORMAT) {
      throw new IllegalArgumentException("served stats format must be " + FORMAT + ", found " + format);
    }
    s.evaluated = b.getLong();
    s.leaked = b.getLong();
    s.correct = b.getLong();
    s.lossSum = b.getDouble();
    s.absErrorSum = b.getDouble();
    s.squaredErrorSum = b.getDouble();
    for (int i = 0; i < BINS; i++) {
      s.binCount[i] = b.getLong();
      s.binConfidence[i] = b.getDouble();
      s.binCorrect[i] = b.getLong();
    }
    int classes = b.getInt();
    s.grow(classes);
    for (int c = 0; c < classes; c++) {
      s.classSupport[c] = b.getLong();
      s.classHits[c] = b.getLong();
    }
    return s;
  }
}
