package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Analytic gradients of the image and normalisation layers against central finite differences, on
 * small shapes: every parameter (through {@link Learner}'s loss) and every input value (through the
 * network's input gradient). The forward pass runs in float, so step and tolerance are chosen for
 * float, as in {@link GradientCheckTest}; a wrong index, transpose or factor is off by far more.
 * Max pooling and relu have kinks: where a step of the difference crosses one (the two one-sided
 * differences disagree), that point is not compared, and the test requires such points to be rare
 * (a conv weight moves every window of a max pool, so a few of them sit near a tie).
 */
class LayerGradientCheckTest {

  private static final int ROWS = 4;

  private static final List<String[]> NETWORKS = List.of(
      new String[] {"50", "input(5,5,2) > conv2d(3,2,tanh) > dense(3,softmax)"},
      new String[] {"36", "input(6,6,1) > conv2d(2,3,stride=2,padding=same,sigmoid) > flatten > dense(3,softmax)"},
      new String[] {"25", "conv2d(2,3,leaky_relu) > dense(3,softmax)"},
      new String[] {"72", "input(6,6,2) > conv2d(3,3,padding=same,tanh) > maxpool(2) > dense(3,softmax)"},
      new String[] {"72", "input(6,6,2) > conv2d(2,2,stride=2,tanh) > avgpool(2) > dense(3,softmax)"},
      new String[] {"32", "input(4,4,2) > maxpool(2) > dense(3,softmax)"},
      new String[] {"32", "input(4,4,2) > avgpool(2) > dense(3,softmax)"},
      new String[] {"98", "input(7,7,2) > conv2d(3,3,tanh) > maxpool(2) > conv2d(2,2,padding=same,linear) > avgpool(2)"
          + " > dense(3,softmax)"},
      new String[] {"6", "dense(5,tanh) > batchnorm > dense(3,softmax)"},
      new String[] {"6", "batchnorm(momentum=0.5,epsilon=0.001) > dense(4,sigmoid) > dense(3,softmax)"},
      new String[] {"50", "input(5,5,2) > conv2d(3,2,linear) > batchnorm > avgpool(2) > dense(4,tanh) > batchnorm"
          + " > dense(3,softmax)"},
      new String[] {"50", "input(5,5,2) > batchnorm > conv2d(2,3,tanh) > dropout(0.3) > flatten > dense(3,softmax)"});

  @TestFactory
  List<DynamicTest> everyLayerAgainstFiniteDifferences() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String[] network : NETWORKS) {
      int inputs = Integer.parseInt(network[0]);
      tests.add(DynamicTest.dynamicTest("parameters of " + network[1], () -> checkParameters(inputs, network[1])));
      if (!network[1].contains("dropout")) {
        tests.add(DynamicTest.dynamicTest("inputs of " + network[1], () -> checkInputs(inputs, network[1])));
      }
    }
    return tests;
  }

  private static void checkParameters(int inputs, String text) {
    NetworkSpec spec = NetworkSpec.parse(inputs, text);
    Learner learner = new Learner(new TrainingConfig(spec, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.sgd(0.1, 0),
        ROWS, 7));
    Random random = new Random(11);
    float[] params = learner.flatParameters();
    for (int k = 0; k < params.length; k++) {
      // away from symmetric points: gamma near 1 but not 1, biases not 0
      params[k] += (float) (0.1 * random.nextGaussian());
    }
    learner.setFlatParameters(params);
    float[] x = gaussian(random, ROWS * inputs);
    float[] y = new float[ROWS];
    for (int r = 0; r < ROWS; r++) {
      y[r] = random.nextInt(3);
    }
    float[] analytic = new float[params.length];
    double center = learner.lossAndGradient(x, y, ROWS, analytic);
    Worst worst = new Worst();
    for (int k = 0; k < params.length; k++) {
      float original = params[k];
      params[k] = (float) (original + EPS);
      learner.setFlatParameters(params);
      double plus = learner.lossAndGradient(x, y, ROWS, null);
      params[k] = (float) (original - EPS);
      learner.setFlatParameters(params);
      double minus = learner.lossAndGradient(x, y, ROWS, null);
      params[k] = original;
      worst.add("parameter " + k, analytic[k], plus, center, minus, (float) (original + EPS) - original,
          original - (float) (original - EPS));
    }
    learner.setFlatParameters(params);
    worst.check(text);
  }

  private static final double EPS = 1e-3;

  /** The network's input gradient against finite differences of a fixed linear function of the logits. */
  private static void checkInputs(int inputs, String text) {
    Layout layout = new Layout(NetworkSpec.parse(inputs, text));
    Random random = new Random(5);
    float[] params = layout.initialParameters(3);
    for (int k = 0; k < layout.trainable; k++) {
      params[k] += (float) (0.1 * random.nextGaussian());
    }
    Network network = new Network(layout, params, null, true, ROWS, 1, true);
    int outs = layout.outputs();
    float[] x = gaussian(random, ROWS * inputs);
    float[] w = gaussian(random, ROWS * outs);
    float[] logits = new float[ROWS * outs];
    network.forward(x, 0, ROWS, logits, 0);
    network.backward(w.clone(), ROWS);
    float[] analytic = network.inputGrad().clone();
    double center = dot(network, x, logits, w);
    Worst worst = new Worst();
    for (int k = 0; k < x.length; k++) {
      float original = x[k];
      x[k] = (float) (original + EPS);
      double plus = dot(network, x, logits, w);
      x[k] = (float) (original - EPS);
      double minus = dot(network, x, logits, w);
      x[k] = original;
      worst.add("input " + k, analytic[k], plus, center, minus, (float) (original + EPS) - original,
          original - (float) (original - EPS));
    }
    worst.check(text);
  }

  private static double dot(Network network, float[] x, float[] logits, float[] w) {
    network.forward(x, 0, ROWS, logits, 0);
    double sum = 0;
    for (int k = 0; k < w.length; k++) {
      sum += (double) logits[k] * w[k];
    }
    return sum;
  }

  private static float[] gaussian(Random random, int n) {
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      v[k] = (float) random.nextGaussian();
    }
    return v;
  }

  /** The worst relative error seen, and where; and how many points sat on a kink. */
  private static final class Worst {
    double error;
    String at = "";
    int points;
    int kinks;

    /** @param up the step up actually taken (in float), {@code down} the step down */
    void add(String where, double analytic, double plus, double center, double minus, double up, double down) {
      points++;
      double right = (plus - center) / up;
      double left = (center - minus) / down;
      if (Math.abs(right - left) > 1e-3 + 1e-2 * Math.abs(right + left)) {
        kinks++;
        return;
      }
      double numeric = (plus - minus) / (up + down);
      double e = Math.abs(numeric - analytic) / (5e-4 + 1e-2 * Math.abs(numeric));
      if (e > error) {
        error = e;
        at = where + ": analytic " + analytic + " numeric " + numeric;
      }
    }

    void check(String text) {
      assertTrue(error <= 1.0, text + ": gradient mismatch at " + at + " (error ratio " + error + ")");
      assertTrue(kinks * 10 <= points, text + ": " + kinks + " of " + points + " points on a kink");
    }
  }
}
