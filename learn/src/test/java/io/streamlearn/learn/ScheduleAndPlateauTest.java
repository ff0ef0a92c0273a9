package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleAndPlateauTest {

  @Test
  void scheduleFactors() {
    assertEquals(1.0, LearningRateSchedule.CONSTANT.factor(12345), 0);
    LearningRateSchedule step = LearningRateSchedule.step(10, 0.5);
    assertEquals(1.0, step.factor(9), 0);
    assertEquals(0.5, step.factor(10), 0);
    assertEquals(0.25, step.factor(25), 0);
    LearningRateSchedule exp = LearningRateSchedule.exponential(10, 0.5);
    assertEquals(Math.pow(0.5, 0.5), exp.factor(5), 1e-12);
    LearningRateSchedule cosine = LearningRateSchedule.cosine(100, 0.1);
    assertEquals(1.0, cosine.factor(0), 1e-12);
    assertEquals(0.55, cosine.factor(50), 1e-12);
    assertEquals(0.1, cosine.factor(100), 1e-12);
    assertEquals(0.1, cosine.factor(1000), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.exponential(10, 1.5));
  }

  @Test
  void reducesAfterPatienceThenCoolsDown() {
    ReduceLrOnPlateau rule = new ReduceLrOnPlateau(ReduceLrOnPlateau.Mode.MIN, 0.5, 2, 0.01, 1, 0.02);
    double lr = 0.1;
    lr = rule.update(1.0, lr);
    lr = rule.update(0.9, lr);
    assertEquals(0.1, lr, 0);
    lr = rule.update(0.895, lr); // not better by minDelta
    assertEquals(0.1, lr, 0);
    lr = rule.update(0.95, lr);
    assertEquals(0.05, lr, 1e-12);
    lr = rule.update(0.95, lr); // cooldown
    assertEquals(0.05, lr, 1e-12);
    lr = rule.update(0.95, lr);
    lr = rule.update(0.95, lr);
    assertEquals(0.025, lr, 1e-12);
    lr = rule.update(0.95, lr);
    lr = rule.update(0.95, lr);
    lr = rule.update(0.95, lr);
    assertEquals(0.02, lr, 1e-12); // floor
  }

  @Test
  void drivesALearnerAndRestoresState() {
    Learner learner = new Learner(new TrainingConfig(NetworkSpec.parse(2, "dense(2,softmax)"), Loss.SOFTMAX_CROSS_ENTROPY,
        OptimizerConfig.adam(0.01), 4, 1));
    ReduceLrOnPlateau rule = new ReduceLrOnPlateau(ReduceLrOnPlateau.Mode.MAX, 0.1, 1, 0, 0, 0);
    assertFalse(rule.update(0.8, learner));
    ReduceLrOnPlateau.State saved = rule.state();
    assertTrue(rule.update(0.7, learner));
    assertEquals(0.001, learner.learningRate(), 1e-12);
    ReduceLrOnPlateau copy = new ReduceLrOnPlateau(ReduceLrOnPlateau.Mode.MAX, 0.1, 1, 0, 0, 0);
    copy.restore(saved);
    assertEquals(0.001, copy.update(0.7, 0.01), 1e-12);
  }
}
