package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.streamlearn.tensor.NamedTensor;
import org.junit.jupiter.api.Test;

/**
 * One and two optimizer steps on {@code y = w x + b} with MSE, checked against values worked out by
 * hand. With x = 2, target 1, w = 0.5, b = 0.1: prediction 1.1, loss 0.01, dL/dw = 2 * 0.1 * 2 = 0.4,
 * dL/db = 2 * 0.1 = 0.2.
 */
class OptimizerStepTest {

  private static final float[] X = {2f};
  private static final float[] Y = {1f};

  private static Learner learner(OptimizerConfig optimizer) {
    NetworkSpec spec = NetworkSpec.parse(1, "dense(1,linear)");
    Learner learner = new Learner(new TrainingConfig(spec, Loss.MSE, optimizer, 1, 1));
    learner.setParameters(List.of(new NamedTensor("layers.0.weight", new int[] {1, 1}, new float[] {0.5f}),
        new NamedTensor("layers.0.bias", new int[] {1}, new float[] {0.1f})));
    return learner;
  }

  private static void assertParams(Learner learner, double w, double b) {
    assertEquals(w, learner.parameters().get(0).data()[0], 1e-6, "weight");
    assertEquals(b, learner.parameters().get(1).data()[0], 1e-6, "bias");
  }

  @Test
  void lossIsComputedBeforeTheUpdate() {
    Learner learner = learner(OptimizerConfig.sgd(0.1, 0));
    assertEquals(0.01f, learner.fit(X, Y, 1), 1e-7f);
    assertEquals(1, learner.steps());
  }

  @Test
  void plainSgd() {
    Learner learner = learner(OptimizerConfig.sgd(0.1, 0));
    learner.fit(X, Y, 1);
    assertParams(learner, 0.46, 0.08);
  }

  @Test
  void sgdWithMomentumTwoSteps() {
    Learner learner = learner(OptimizerConfig.sgd(0.1, 0.9));
    learner.fit(X, Y, 1);
    assertParams(learner, 0.46, 0.08);
    // step 2: residual 0.46*2 + 0.08 - 1 = 0, so g = 0 and only the velocity moves the weights
    learner.fit(X, Y, 1);
    assertParams(learner, 0.46 - 0.1 * 0.9 * 0.4, 0.08 - 0.1 * 0.9 * 0.2);
  }

  @Test
  void nesterov() {
    Learner learner = learner(OptimizerConfig.nesterov(0.1, 0.9));
    learner.fit(X, Y, 1);
    // v = g; w -= lr * (g + 0.9 v) = 0.1 * 1.9 * g
    assertParams(learner, 0.5 - 0.19 * 0.4, 0.1 - 0.19 * 0.2);
  }

  @Test
  void adamTwoSteps() {
    Learner learner = learner(OptimizerConfig.adam(0.1));
    learner.fit(X, Y, 1);
    // step 1: m_hat = g, v_hat = g^2, so each parameter moves by lr * g / |g| = 0.1
    assertParams(learner, 0.4, 0.0);
    // step 2: residual 0.4*2 + 0 - 1 = -0.2, g = (-0.8, -0.4)
    double[] m = {0.1 * 0.4, 0.1 * 0.2};
    double[] v = {0.001 * 0.16, 0.001 * 0.04};
    double[] g = {-0.8, -0.4};
    double[] p = {0.4, 0.0};
    for (int k = 0; k < 2; k++) {
      m[k] = 0.9 * m[k] + 0.1 * g[k];
      v[k] = 0.999 * v[k] + 0.001 * g[k] * g[k];
      double mHat = m[k] / (1 - 0.81);
      double vHat = v[k] / (1 - 0.999 * 0.999);
      p[k] -= 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
    }
    learner.fit(X, Y, 1);
    assertParams(learner, p[0], p[1]);
    assertEquals(2, learner.optimizerState().step());
    assertEquals(List.of("m", "v"), learner.optimizerState().slots().stream().map(NamedTensor::name).toList());
  }

  @Test
  void rmsprop() {
    Learner learner = learner(OptimizerConfig.rmsprop(0.01));
    learner.fit(X, Y, 1);
    // s = 0.1 g^2, step = lr * g / sqrt(s) = 0.01 / sqrt(0.1) per parameter
    double step = 0.01 / Math.sqrt(0.1);
    assertParams(learner, 0.5 - step, 0.1 - step);
  }

  @Test
  void adagrad() {
    Learner learner = learner(OptimizerConfig.adagrad(0.1));
    learner.fit(X, Y, 1);
    assertParams(learner, 0.4, 0.0);
  }

  @Test
  void l2DecaysWeightsOnly() {
    Learner learner = learner(OptimizerConfig.sgd(0.1, 0).withL2(0.1));
    learner.fit(X, Y, 1);
    // g_w = 0.4 + 0.1 * 0.5 = 0.45; the bias gradient is untouched
    assertParams(learner, 0.455, 0.08);
  }

  @Test
  void clipNormRescalesTheWholeGradient() {
    double half = Math.sqrt(0.4 * 0.4 + 0.2 * 0.2) / 2;
    Learner learner = learner(OptimizerConfig.sgd(0.1, 0).withClipNorm(half));
    learner.fit(X, Y, 1);
    assertParams(learner, 0.48, 0.09);
    Learner unclipped = learner(OptimizerConfig.sgd(0.1, 0).withClipNorm(10));
    unclipped.fit(X, Y, 1);
    assertParams(unclipped, 0.46, 0.08);
  }

  @Test
  void clipValueClampsEachComponent() {
    Learner learner = learner(OptimizerConfig.sgd(0.1, 0).withClipValue(0.3));
    learner.fit(X, Y, 1);
    assertParams(learner, 0.47, 0.08);
  }

  @Test
  void scheduleScalesTheRateByStep() {
    Learner learner = learner(OptimizerConfig.sgd(0.1, 0).withSchedule(LearningRateSchedule.step(1, 0.5)));
    assertEquals(0.1, learner.currentLearningRate(), 1e-12);
    learner.fit(X, Y, 1);
    assertParams(learner, 0.46, 0.08);
    assertEquals(0.05, learner.currentLearningRate(), 1e-12);
    learner.setLearningRate(0.2);
    assertEquals(0.1, learner.currentLearningRate(), 1e-12);
    assertEquals(0.2, learner.learningRate(), 1e-12);
  }
}
