package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Analytic gradients against central finite differences for every hidden activation, with and
 * without dropout, under every loss and every output activation that loss accepts. The forward pass
 * runs in float, so the step and the tolerance are chosen for float: a wrong factor, sign or
 * transpose is off by far more than the tolerance.
 */
class GradientCheckTest {

  private static final int INPUTS = 4;
  private static final int ROWS = 6;

  @TestFactory
  List<DynamicTest> everyLayerAndLossPair() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Activation hidden : Activation.values()) {
      for (Loss loss : Loss.values()) {
        for (Activation output : outputsFor(loss)) {
          for (boolean dropout : new boolean[] {false, true}) {
            String name = hidden + " > " + (dropout ? "dropout > " : "") + output + " / " + loss;
            tests.add(DynamicTest.dynamicTest(name, () -> check(hidden, output, loss, dropout)));
          }
        }
      }
    }
    return tests;
  }

  private static List<Activation> outputsFor(Loss loss) {
    switch (loss) {
      case SOFTMAX_CROSS_ENTROPY:
        return List.of(Activation.SOFTMAX);
      case BINARY_CROSS_ENTROPY:
        return List.of(Activation.SIGMOID);
      default:
        return List.of(Activation.values());
    }
  }

  private static void check(Activation hidden, Activation output, Loss loss, boolean dropout) {
    int outputs = 3;
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec.Dense(5, hidden));
    if (dropout) {
      layers.add(new LayerSpec.Dropout(0.3));
    }
    layers.add(new LayerSpec.Dense(4, Activation.TANH));
    layers.add(new LayerSpec.Dense(outputs, output));
    NetworkSpec spec = new NetworkSpec(INPUTS, layers);
    Learner learner = new Learner(new TrainingConfig(spec, loss, OptimizerConfig.sgd(0.1, 0), ROWS, 7));
    Random random = new Random(11);
    float[] params = learner.flatParameters();
    for (int k = 0; k < params.length; k++) {
      // non-zero biases so every unit is exercised away from symmetric points
      params[k] += (float) (0.1 * random.nextGaussian());
    }
    learner.setFlatParameters(params);
    float[] x = new float[ROWS * INPUTS];
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) random.nextGaussian();
    }
    float[] y = targets(loss, outputs, random);
    float[] analytic = new float[params.length];
    learner.lossAndGradient(x, y, ROWS, analytic);

    double eps = 1e-3;
    double worst = 0;
    String worstAt = "";
    for (int k = 0; k < params.length; k++) {
      float original = params[k];
      params[k] = (float) (original + eps);
      learner.setFlatParameters(params);
      double plus = learner.lossAndGradient(x, y, ROWS, null);
      params[k] = (float) (original - eps);
      learner.setFlatParameters(params);
      double minus = learner.lossAndGradient(x, y, ROWS, null);
      params[k] = original;
      double numeric = (plus - minus) / ((double) (float) (original + eps) - (float) (original - eps));
      double error = Math.abs(numeric - analytic[k]) / (5e-4 + 1e-2 * Math.abs(numeric));
      if (error > worst) {
        worst = error;
        worstAt = "parameter " + k + ": analytic " + analytic[k] + " numeric " + numeric;
      }
    }
    learner.setFlatParameters(params);
    assertTrue(worst <= 1.0, "gradient mismatch at " + worstAt + " (error ratio " + worst + ")");
  }

  private static float[] targets(Loss loss, int outputs, Random random) {
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
      float[] y = new float[ROWS];
      for (int r = 0; r < ROWS; r++) {
        y[r] = random.nextInt(outputs);
      }
      return y;
    }
    float[] y = new float[ROWS * outputs];
    for (int k = 0; k < y.length; k++) {
      y[k] = loss == Loss.BINARY_CROSS_ENTROPY ? random.nextFloat() : (float) random.nextGaussian();
    }
    return y;
  }
}
