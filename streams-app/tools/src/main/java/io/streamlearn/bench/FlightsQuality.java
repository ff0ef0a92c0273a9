package io.streamlearn.bench;

import io.streamlearn.data.Flights;
import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.JsonRecordDecoder;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.tensor.SparseRows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One prequential pass over the Flights records with the feature pipeline and the engine: per batch,
 * featurize with the pipeline as it is and score with the network as it is (test), then let the
 * pipeline learn the batch and train the network on it (train). This is what the trainer does with
 * a stream, and what {@code bench/features/flights_sklearn.py} does on the scikit-learn side.
 *
 * <p>The defaults were picked on this pass (batch 32, seeds 42, 1 and 2) among logistic regression
 * and MLPs of 16 to 128 relu or tanh units, one or two hidden layers, with plain SGD 0.1 to 1.0, SGD
 * with momentum, Adam 0.001 to 0.03, AdaGrad 0.03 to 0.3 and RMSProp: the MLP of 64 relu units with
 * SGD 0.5 scored best, AUC 0.646-0.647 and log loss 0.501 on every seed (logistic regression 0.638
 * / 0.506; SGD 0.2 0.641 / 0.503; AdaGrad 0.05 0.644 / 0.504). Adam at its usual 0.001 is far too
 * slow for one pass of 625 steps (AUC 0.52). Smaller batches do better, with the rate scaled down:
 * batch 8 with SGD 0.2 0.654 / 0.499, batch 1 with SGD 0.02 0.656 / 0.498 (see docs/features.md).
 * Re-run any candidate with {@code --networks},
 * {@code --optimizer}, {@code --spec} and {@code --seed}.
 */
final class FlightsQuality {

  /** Logistic regression over the featurized row. */
  static final String LOGISTIC = "dense(2,softmax)";
  /** The default network for Flights. */
  static final String DEFAULT_NETWORK = "dense(64,relu) > dense(2,softmax)";
  /** The default optimizer for Flights. */
  static final String DEFAULT_OPTIMIZER = "sgd(0.5)";
  static final long SEED = 42;

  private FlightsQuality() {}

  /** The pass's figures. */
  record Result(String network, String optimizer, double auc, double logLoss, double seconds) {}

  static Result run(List<byte[]> records, FeatureSpec spec, String network, String optimizer, int batch, long seed) {
    LabelSpec label = LabelSpec.parse(Flights.LABEL);
    JsonRecordDecoder decoder = JsonRecordDecoder.forPipeline(spec, label, null);
    FeaturePipeline pipeline = new FeaturePipeline(spec, label, 2);
    int width = pipeline.layout().totalWidth();
    Learner learner = new Learner(new TrainingConfig(NetworkSpec.parse(width, network), Loss.SOFTMAX_CROSS_ENTROPY,
        OptimizerConfig.parse(optimizer), batch, seed));
    SparseRows test = new SparseRows(pipeline.layout(), batch);
    SparseRows train = new SparseRows(pipeline.layout(), batch);
    int n = records.size();
    double[] scores = new double[n];
    int[] labels = new int[n];
    int[] batchLabels = new int[batch];
    float[] probabilities = new float[batch * 2];
    List<InputRecord> decoded = new ArrayList<>(batch);
    long start = System.nanoTime();
    for (int lo = 0; lo < n; lo += batch) {
      int hi = Math.min(n, lo + batch);
      decoded.clear();
      test.clear();
      train.clear();
      for (int i = lo; i < hi; i++) {
        InputRecord record = decoder.decode(records.get(i));
        decoded.add(record);
        pipeline.featurize(record, test);
      }
      learner.predict(test.toDense(), hi - lo, probabilities);
      for (int i = lo; i < hi; i++) {
        scores[i] = probabilities[2 * (i - lo) + 1];
      }
      for (int i = lo; i < hi; i++) {
        batchLabels[i - lo] = pipeline.learnAndFeaturize(decoded.get(i - lo), train).classIndex();
        labels[i] = batchLabels[i - lo];
      }
      learner.fit(train.toDense(), batchLabels, hi - lo);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(network, optimizer, auc(scores, labels), logLoss(scores, labels), seconds);
  }

  /** Area under the ROC curve (Mann-Whitney, ties at their average rank). */
  static double auc(double[] scores, int[] labels) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    double positiveRanks = 0;
    long positives = 0;
    for (int i = 0; i < n;) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] == 1) {
          positiveRanks += rank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (positiveRanks - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Mean log loss of the scores (probabilities of class 1), clipped to [1e-15, 1 - 1e-15] as the reference does. */
  static double logLoss(double[] scores, int[] labels) {
    double sum = 0;
    for (int i = 0; i < scores.length; i++) {
      double p = Math.min(1 - 1e-15, Math.max(1e-15, scores[i]));
      sum -= labels[i] == 1 ? Math.log(p) : Math.log(1 - p);
    }
    return sum / scores.length;
  }
}
