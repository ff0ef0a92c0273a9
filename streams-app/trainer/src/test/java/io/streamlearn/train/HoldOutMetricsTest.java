package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.NamedTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HoldOutMetricsTest {

  /** A classifier that predicts the index of the larger of its two inputs. */
  private static Model argmaxOfInputs(String output) {
    NetworkSpec spec = NetworkSpec.parse(2, "dense(2," + output + ")");
    return Model.of(spec, List.of(new NamedTensor("layers.0.weight", new int[] {2, 2}, new float[] {1, 0, 0, 1}),
        new NamedTensor("layers.0.bias", new int[] {2}, new float[2])));
  }

  @Test
  void aVersionsMetricsCarryPerClassPrecisionRecallAndTheConfusionMatrixOfTheHoldOut() {
    HoldOut holdout = new HoldOut(0.1, 10, 2, 2, Signature.Task.CLASSIFICATION);
    holdout.add(new float[] {1, 0}, 0, 0); // predicted 0
    holdout.add(new float[] {2, 0}, 0, 0); // predicted 0
    holdout.add(new float[] {0, 1}, 0, 1); // predicted 1
    holdout.add(new float[] {1, 0}, 0, 1); // predicted 0: a miss
    HoldOut.Score score = holdout.score(argmaxOfInputs("softmax"));
    assertEquals(0.75, score.accuracy(), 1e-12);

    Map<String, Double> metrics = new LinkedHashMap<>();
    score.putPerClass(metrics, "holdout");
    assertEquals(2.0 / 3, metrics.get("holdoutPrecision.0"), 1e-12);
    assertEquals(1.0, metrics.get("holdoutRecall.0"), 1e-12);
    assertEquals(1.0, metrics.get("holdoutPrecision.1"), 1e-12);
    assertEquals(0.5, metrics.get("holdoutRecall.1"), 1e-12);
    assertEquals(Map.of("holdoutConfusion.0.0", 2.0, "holdoutConfusion.0.1", 0.0, "holdoutConfusion.1.0", 1.0,
        "holdoutConfusion.1.1", 1.0), subMap(metrics, "holdoutConfusion."));
  }

  @Test
  void aClassNeverPredictedHasNoPrecisionRatherThanANaN() {
    HoldOut holdout = new HoldOut(0.1, 10, 2, 2, Signature.Task.CLASSIFICATION);
    holdout.add(new float[] {1, 0}, 0, 0);
    holdout.add(new float[] {1, 0}, 0, 1);
    Map<String, Double> metrics = new LinkedHashMap<>();
    holdout.score(argmaxOfInputs("softmax")).putPerClass(metrics, "holdout");
    assertFalse(metrics.containsKey("holdoutPrecision.1"), "class 1 was never predicted: " + metrics);
    assertEquals(0.0, metrics.get("holdoutRecall.1"));
    assertTrue(metrics.values().stream().allMatch(Double::isFinite), metrics.toString());
  }

  @Test
  void regressionAndAnEmptyHoldOutAddNoPerClassFigures() {
    HoldOut regression = new HoldOut(0.1, 10, 2, 2, Signature.Task.REGRESSION);
    regression.add(new float[] {1, 0}, 0, 0.5f);
    Map<String, Double> metrics = new LinkedHashMap<>();
    regression.score(argmaxOfInputs("linear")).putPerClass(metrics, "holdout");
    new HoldOut(0.1, 10, 2, 2, Signature.Task.CLASSIFICATION).score(argmaxOfInputs("softmax"))
        .putPerClass(metrics, "holdout");
    assertEquals(Map.of(), metrics);
  }

  private static Map<String, Double> subMap(Map<String, Double> metrics, String prefix) {
    Map<String, Double> sub = new LinkedHashMap<>();
    metrics.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        sub.put(k, v);
      }
    });
    return sub;
  }
}
