package io.streamlearn.train;

import io.streamlearn.learn.metrics.FadingMean;
import io.streamlearn.learn.metrics.WindowedMean;
import io.streamlearn.registry.Signature;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prequential (test-then-train) metrics: each example is scored by the weights before they learn
 * from it; accuracy (classification) and loss are kept over a sliding window and with a fading
 * factor. Not thread-safe.
 */
final class Prequential {
  private static final double MIN_PROBABILITY = 1e-7;

  private final Signature.Task task;
  private final WindowedMean accuracy;
  private final WindowedMean loss;
  private final FadingMean fadingAccuracy;
  private final FadingMean fadingLoss;

  Prequential(Signature.Task task, int window, double fadingFactor) {
    this.task = task;
    this.accuracy = new WindowedMean(window);
    this.loss = new WindowedMean(window);
    this.fadingAccuracy = new FadingMean(fadingFactor);
    this.fadingLoss = new FadingMean(fadingFactor);
  }

  /**
   * Records one example scored before training.
   *
   * @return the example's error for a drift detector: 0/1 misclassification, or the squared error
   */
  double add(float[] outputs, int from, int count, float truth) {
    double l = exampleLoss(task, outputs, from, count, truth);
    if (Double.isFinite(l)) {
      loss.add(l);
      fadingLoss.add(l);
    }
    if (task == Signature.Task.CLASSIFICATION) {
      double hit = predictedClass(outputs, from, count) == (int) truth ? 1.0 : 0.0;
      accuracy.add(hit);
      fadingAccuracy.add(hit);
      return 1.0 - hit;
    }
    return Double.isFinite(l) ? l : 0.0;
  }

  double windowedAccuracy() {
    return accuracy.count() == 0 ? Double.NaN : accuracy.mean();
  }

  double windowedLoss() {
    return loss.count() == 0 ? Double.NaN : loss.mean();
  }

  /** The metrics by name, leaving out those not known yet. */
  Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    putIfKnown(m, "prequentialAccuracy", windowedAccuracy());
    putIfKnown(m, "prequentialAccuracyFading", fadingAccuracy.mean());
    putIfKnown(m, "prequentialLoss", windowedLoss());
    putIfKnown(m, "prequentialLossFading", fadingLoss.mean());
    return m;
  }

  static void putIfKnown(Map<String, Double> m, String key, double value) {
    if (Double.isFinite(value)) {
      m.put(key, value);
    }
  }

  /** The class a row of outputs predicts: the argmax, or {@code p >= 0.5} for one sigmoid output. */
  static int predictedClass(float[] values, int from, int count) {
    if (count == 1) {
      return values[from] >= 0.5f ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < count; k++) {
      if (values[from + k] > values[from + best]) {
        best = k;
      }
    }
    return best;
  }

  /**
   * The loss of one example from its outputs: cross-entropy of the true class for classification
   * (softmax or one sigmoid unit), squared error of the first output for regression.
   */
  static double exampleLoss(Signature.Task task, float[] out, int from, int count, float truth) {
    if (task == Signature.Task.REGRESSION) {
      double e = out[from] - truth;
      return e * e;
    }
    if (count == 1) {
      double p = Math.min(Math.max(out[from], MIN_PROBABILITY), 1 - MIN_PROBABILITY);
      return truth >= 0.5f ? -Math.log(p) : -Math.log(1 - p);
    }
    return -Math.log(Math.max(out[from + (int) truth], MIN_PROBABILITY));
  }
}
