package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.Preprocessing;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The validation gate, the hold-out choice, reduce-on-plateau and the drift boost. */
class PolicyTest {
  private static HoldOut.Score accuracy(double a) {
    return new HoldOut.Score(a, 0.5, 500);
  }

  @Test
  void theGateRejectsACandidateWorseThanLiveByMoreThanTheMargin() {
    ValidationGate gate = new ValidationGate(Signature.Task.CLASSIFICATION, 0.02, 100);
    assertTrue(gate.judge(accuracy(0.5), null).publish(), "first version");
    assertTrue(gate.judge(accuracy(0.89), accuracy(0.90)).publish(), "within the margin");
    ValidationGate.Verdict v = gate.judge(accuracy(0.87), accuracy(0.90));
    assertFalse(v.publish(), "worse by 0.03: " + v.reason());
    assertTrue(gate.judge(new HoldOut.Score(0.1, 2.0, 50), accuracy(0.9)).publish(), "too few examples to judge");
    assertFalse(gate.judge(new HoldOut.Score(Double.NaN, Double.NaN, 500), null).publish(), "non-finite loss");
  }

  @Test
  void theRegressionGateComparesMseRelatively() {
    ValidationGate gate = new ValidationGate(Signature.Task.REGRESSION, 0.1, 10);
    assertTrue(gate.judge(new HoldOut.Score(Double.NaN, 1.09, 50), new HoldOut.Score(Double.NaN, 1.0, 50)).publish());
    assertFalse(gate.judge(new HoldOut.Score(Double.NaN, 1.2, 50), new HoldOut.Score(Double.NaN, 1.0, 50)).publish());
  }

  @Test
  void theHoldOutIsADeterministicShareOfIds() {
    long held = IntStream.range(0, 100_000).filter(i -> HoldOut.isHeldOut("ev-" + i, 0.1)).count();
    assertTrue(held > 9_500 && held < 10_500, "held out of 100,000 at 10%: " + held);
    assertEquals(HoldOut.isHeldOut("ev-42", 0.1), HoldOut.isHeldOut("ev-42", 0.1));
    assertFalse(IntStream.range(0, 1_000).anyMatch(i -> HoldOut.isHeldOut("ev-" + i, 0.0)), "0 holds none out");
    long nested = IntStream.range(0, 10_000).filter(i -> HoldOut.isHeldOut("ev-" + i, 0.05)
        && !HoldOut.isHeldOut("ev-" + i, 0.1)).count();
    assertEquals(0, nested, "a smaller share is a subset of a larger one");
  }

  @Test
  void theHoldOutScoresAModelOnTheKeptExamples() {
    Learner learner = learner(0.01);
    HoldOut holdout = new HoldOut(0.1, 3, 2, 2, Signature.Task.CLASSIFICATION);
    for (int i = 0; i < 5; i++) {
      holdout.add(new float[] {i, -i}, 0, i % 2);
    }
    HoldOut.Score s = holdout.score(learner.snapshot(Preprocessing.identity()));
    assertEquals(3, s.examples(), "a ring of 3 keeps the newest 3");
    assertTrue(s.accuracy() >= 0 && s.accuracy() <= 1 && Double.isFinite(s.loss()), "score " + s);
    holdout.clear();
    assertEquals(0, holdout.size());
  }

  @Test
  void thePlateauRuleReducesTheRateAfterPatienceCandidates() {
    Learner learner = learner(0.1);
    LearningRateControl control = new LearningRateControl(2, 0.5, 0.01, 0.001);
    assertFalse(control.observe(1.0, learner));
    assertFalse(control.observe(1.0, learner));
    assertTrue(control.observe(0.995, learner), "no improvement of 0.01 for 2 candidates");
    assertEquals(0.05, learner.learningRate(), 1e-12);
    LearningRateControl copy = new LearningRateControl(2, 0.5, 0.01, 0.001);
    copy.restore(control.state());
    assertFalse(copy.observe(0.5, learner), "an improvement resets the count");
  }

  @Test
  void aDriftBoostRaisesTheRateForSomeBatchesThenRestoresIt() {
    Learner learner = learner(0.01);
    LearningRateControl control = new LearningRateControl(0, 0.5, 0.0, 0.0);
    control.boost(learner, 5, 2);
    assertEquals(0.05, learner.learningRate(), 1e-12);
    control.boost(learner, 5, 2); // a second drift during the boost does not compound it
    assertEquals(0.05, learner.learningRate(), 1e-12);
    control.afterBatch(learner);
    assertEquals(0.05, learner.learningRate(), 1e-12);
    control.afterBatch(learner);
    assertEquals(0.01, learner.learningRate(), 1e-12, "back to the rate before the drift");
  }

  @Test
  void aGroupRoundsBaseRateIsTheRateBeforeABoostAndABoostGoesOnOverAnAdoptedBase() {
    Learner publisher = learner(0.01);
    LearningRateControl publishing = new LearningRateControl(0, 0.5, 0.0, 0.0);
    publishing.boost(publisher, 5, 2);
    assertEquals(0.01, publishing.baseRate(publisher), 1e-12, "a round carries the rate before the boost");
    Learner member = learner(0.01);
    LearningRateControl control = new LearningRateControl(0, 0.5, 0.0, 0.0);
    control.adoptBase(member, 0.004);
    assertEquals(0.004, member.learningRate(), 1e-12);
    control.boost(member, 5, 2);
    control.adoptBase(member, 0.002); // a round during the member's own boost: no compounding
    assertEquals(0.01, member.learningRate(), 1e-12, "the boost (x5) over the new base");
    control.afterBatch(member);
    control.afterBatch(member);
    assertEquals(0.002, member.learningRate(), 1e-12, "the boost ends at the adopted base");
  }

  private static Learner learner(double lr) {
    return new Learner(new TrainingConfig(NetworkSpec.parse(2, "dense(2,softmax)"), Loss.SOFTMAX_CROSS_ENTROPY,
        OptimizerConfig.adam(lr), 8, 1));
  }
}
