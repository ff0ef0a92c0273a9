package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link Optimizer#applyRanges}: over ranges that cover every parameter it is the dense step, for
 * every optimizer with L2 and both clippings; over some ranges it leaves the rest and their slots
 * alone while the step counter (Adam's bias correction) still advances.
 */
class LazyUpdateTest {

  private static final int TOTAL = 50;
  private static final int WEIGHTS = 40;

  private static List<OptimizerConfig> configs() {
    return List.of(OptimizerConfig.sgd(0.1, 0), OptimizerConfig.sgd(0.1, 0.9).withL2(0.01),
        OptimizerConfig.nesterov(0.1, 0.9), OptimizerConfig.adam(0.01).withL2(0.01).withClipNorm(0.5),
        OptimizerConfig.rmsprop(0.01).withClipValue(0.05), OptimizerConfig.adagrad(0.1));
  }

  private static float[] gaussian(Random random) {
    float[] v = new float[TOTAL];
    for (int k = 0; k < TOTAL; k++) {
      v[k] = (float) random.nextGaussian();
    }
    return v;
  }

  @Test
  void rangesCoveringEveryParameterGiveTheDenseStep() {
    for (OptimizerConfig config : configs()) {
      Optimizer dense = new Optimizer(config, TOTAL, WEIGHTS);
      Optimizer ranged = new Optimizer(config, TOTAL, WEIGHTS);
      Random random = new Random(1);
      float[] p1 = gaussian(random);
      float[] p2 = p1.clone();
      for (int step = 0; step < 4; step++) {
        float[] g = gaussian(random);
        dense.apply(p1, g.clone(), 0.1);
        ranged.applyRanges(p2, g.clone(), new int[] {30, 0, 10}, new int[] {TOTAL, 10, 30}, 3, 0.1);
      }
      assertArrayEquals(p1, p2, 1e-6f, config.kind().toString());
      assertEquals(dense.step(), ranged.step());
    }
  }

  @Test
  void parametersOutsideTheRangesAndTheirSlotsStayAsTheyWere() {
    for (OptimizerConfig config : configs()) {
      Optimizer ranged = new Optimizer(config, TOTAL, WEIGHTS);
      Random random = new Random(2);
      float[] params = gaussian(random);
      float[] before = params.clone();
      for (int step = 0; step < 3; step++) {
        ranged.applyRanges(params, gaussian(random), new int[] {5}, new int[] {15}, 1, 0.1);
      }
      for (int k = 0; k < TOTAL; k++) {
        if (k < 5 || k >= 15) {
          assertEquals(before[k], params[k], config.kind() + " parameter " + k);
          for (var slot : ranged.export().slots()) {
            assertEquals(0f, slot.data()[k], config.kind() + " slot " + slot.name() + " at " + k);
          }
        }
      }
      assertEquals(3, ranged.step());
    }
  }
}
