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
import io.streamlearn.tensor.FeatureLayout;
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
 * <p>Both the network and the pipeline take the rows sparse: the {@link TrainingConfig} carries the
 * pipeline's {@link FeatureLayout} and the learner fits and predicts on {@link SparseRows} (same
 * figures as the dense network on {@code rows.toDense()}: AUC 0.6464 / log loss 0.5013 for the old
 * default both ways, SGD without L2 being the same update).
 *
 * <p>The defaults ({@link Flights#SPEC}, {@link Flights#LAYERS}, {@link Flights#OPTIMIZER}, batch 32)
 * were picked on this pass, seeds 42, 1 and 2. Before the time keys (cyclic hour and weekday only),
 * logistic regression and MLPs of 16 to 128 relu or tanh units with SGD, momentum, Adam, AdaGrad and
 * RMSProp, and {@code embedding(8|16)} first layers, all stayed at AUC 0.638-0.648 (the best, 64 relu
 * units with SGD 0.5: 0.646 / 0.501); smaller batches helped a little (batch 8: 0.654). What moved
 * it is the keys of {@code time(..., keys=[...])}: hour and weekday as categories, today, and today
 * at the origin and at the destination (delays cluster by day and airport), then the hour at each
 * airport. With all seven keys and AdaGrad 0.05: 64 relu units 0.670 / 0.493, 32 units 0.668 /
 * 0.495, logistic regression 0.662 / 0.495; AdaGrad 0.04 to 0.07 within 0.002 of 0.05, 0.1 and up
 * worse (log loss 0.50), SGD 0.5 0.650 / 0.500; five keys (without the hour at each airport) 0.666
 * / 0.495; 16,384 buckets instead of 65,536 0.664. Re-run any candidate with {@code --networks},
 * {@code --optimizer}, {@code --spec}, {@code --batch} and {@code --seed}.
 */
final class FlightsQuality {

  /** Logistic regression over the featurized row. */
  static final String LOGISTIC = "dense(2,softmax)";
  /** The default network for Flights. */
  static final String DEFAULT_NETWORK = Flights.LAYERS;
  /** The default optimizer for Flights. */
  static final String DEFAULT_OPTIMIZER = Flights.OPTIMIZER;
  static final long SEED = 42;

  private FlightsQuality() {}

  /** The pass's figures. */
  record Result(String network, String optimizer, boolean dense, double auc, double logLoss, double seconds) {}

  static Result run(List<byte[]> records, FeatureSpec spec, String network, String optimizer, int batch, long seed) {
    return run(records, spec, network, optimizer, batch, seed, false);
  }

  /**
   * The pass; with {@code dense} the network is the plain dense one over {@code rows.toDense()}
   * (one-hot rows of the layout's total width), the way this bench ran before the engine took
   * sparse rows: the same figures, to check the sparse path against, and its time.
   */
  static Result run(List<byte[]> records, FeatureSpec spec, String network, String optimizer, int batch, long seed,
      boolean dense) {
    LabelSpec label = LabelSpec.parse(Flights.LABEL);
    JsonRecordDecoder decoder = JsonRecordDecoder.forPipeline(spec, label, null);
    FeaturePipeline pipeline = new FeaturePipeline(spec, label, 2);
    FeatureLayout layout = pipeline.layout();
    Learner learner = new Learner(new TrainingConfig(NetworkSpec.parse(layout.totalWidth(), network),
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.parse(optimizer), batch, seed, dense ? null : layout));
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
      if (dense) {
        learner.predict(test.toDense(), hi - lo, probabilities);
      } else {
        learner.predict(test, probabilities);
      }
      for (int i = lo; i < hi; i++) {
        scores[i] = probabilities[2 * (i - lo) + 1];
      }
      for (int i = lo; i < hi; i++) {
        batchLabels[i - lo] = pipeline.learnAndFeaturize(decoded.get(i - lo), train).classIndex();
        labels[i] = batchLabels[i - lo];
      }
      if (dense) {
        learner.fit(train.toDense(), batchLabels, hi - lo);
      } else {
        learner.fit(train, batchLabels, 0, null);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(network, optimizer, dense, auc(scores, labels), logLoss(scores, labels), seconds);
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
