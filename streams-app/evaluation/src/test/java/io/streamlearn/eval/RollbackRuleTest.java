package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rollback SPRT: its formula by hand, and its error rates by seeded simulation. */
class RollbackRuleTest {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RollbackRuleTest.class);
  private static final RollbackRule DEFAULTS = new RollbackRule(true, 0.01, 0.05, 0.02, 0.10, 200);
  private static final int RUNS = 2_000;
  private static final int HORIZON = 5_000;

  @Test
  void theLogLikelihoodRatioIsWaldsForABernoulliErrorRate() {
    RollbackRule.Evidence ev = DEFAULTS.decide(300, 90, 0.2);
    double p0 = 0.22;
    double p1 = 0.30;
    assertEquals(90 * Math.log(p1 / p0) + 210 * Math.log((1 - p1) / (1 - p0)), ev.llr(), 1e-12);
    assertEquals(Math.log(0.95 / 0.01), ev.upper(), 1e-12);
    assertEquals(Math.log(0.05 / 0.99), ev.lower(), 1e-12);
    assertEquals(0.3, ev.newError(), 1e-12);
  }

  @Test
  void noDecisionIsTakenBeforeTheMinimumNumberOfEvents() {
    assertEquals(RollbackRule.Verdict.CONTINUE, DEFAULTS.decide(199, 199, 0.1).verdict());
    assertEquals(RollbackRule.Verdict.ROLL_BACK, DEFAULTS.decide(200, 200, 0.1).verdict());
    assertEquals(RollbackRule.Verdict.KEEP, DEFAULTS.decide(200, 20, 0.1).verdict());
  }

  @Test
  void aVersionAtTheMarginIsRolledBackAtMostAlphaOfTheTime() {
    for (RollbackRule rule : new RollbackRule[] {DEFAULTS, new RollbackRule(true, 0.05, 0.05, 0.02, 0.10, 50)}) {
      double rate = rollbackRate(rule, 0.2, 0.2 + rule.margin(), 11);
      // Wald: at most alpha / (1 - beta); three binomial standard deviations of the estimate on top
      double bound = rule.alpha() / (1 - rule.beta()) + 3 * Math.sqrt(rule.alpha() * (1 - rule.alpha()) / RUNS);
      assertTrue(rate <= bound, "false rollbacks at the margin with " + rule + ": " + rate + " > " + bound);
    }
  }

  @Test
  void aVersionAsGoodAsItsPredecessorIsRarelyRolledBackEvenWithAnEstimatedPredecessor() {
    SplittableRandom random = new SplittableRandom(23);
    int rollbacks = 0;
    for (int run = 0; run < RUNS; run++) {
      // the predecessor's error rate is estimated from the minimum number of its own evaluations
      long oldErrors = 0;
      for (int i = 0; i < DEFAULTS.minEvents(); i++) {
        oldErrors += random.nextDouble() < 0.2 ? 1 : 0;
      }
      double oldError = DEFAULTS.predecessorError(oldErrors, DEFAULTS.minEvents());
      if (run(DEFAULTS, oldError, 0.2, random) == RollbackRule.Verdict.ROLL_BACK) {
        rollbacks++;
      }
    }
    double rate = (double) rollbacks / RUNS;
    // alpha/(1 - beta) for the test, alpha more for a predecessor whose error the bound understates
    double bound = DEFAULTS.alpha() / (1 - DEFAULTS.beta()) + DEFAULTS.alpha()
        + 3 * Math.sqrt(DEFAULTS.alpha() * (1 - DEFAULTS.alpha()) / RUNS);
    log.info("rollback rate {} of an equal version against an estimated predecessor", rate);
    assertTrue(rate <= bound, "false rollbacks of an equal version: " + rate + " > " + bound);
  }

  @Test
  void aVersionWorseByDeltaIsRolledBackAtLeastOneMinusBetaOfTheTime() {
    double rate = rollbackRate(DEFAULTS, 0.2, 0.2 + DEFAULTS.delta(), 13);
    assertTrue(rate >= 1 - DEFAULTS.beta() / (1 - DEFAULTS.alpha()) - 3 * Math.sqrt(0.05 * 0.95 / RUNS),
        "rollbacks of a version worse by delta: " + rate);
  }

  @Test
  void aBrokenVersionIsRolledBackAtTheMinimumNumberOfEvents() {
    SplittableRandom random = new SplittableRandom(17);
    for (int run = 0; run < RUNS; run++) {
      // random weights on two classes: a coin, against a predecessor right four times in five
      long n = 0;
      long errors = 0;
      RollbackRule.Verdict v = RollbackRule.Verdict.CONTINUE;
      while (v == RollbackRule.Verdict.CONTINUE) {
        n++;
        errors += random.nextDouble() < 0.5 ? 1 : 0;
        v = DEFAULTS.decide(n, errors, 0.2).verdict();
      }
      assertEquals(RollbackRule.Verdict.ROLL_BACK, v, "run " + run);
      assertEquals(DEFAULTS.minEvents(), n, "run " + run + " decided after");
    }
  }

  @Test
  void thePredecessorsBoundIsItsOneSidedUpperConfidenceBound() {
    assertEquals(2.326, RollbackRule.normalQuantile(0.99), 1e-3);
    assertEquals(1.645, RollbackRule.normalQuantile(0.95), 1e-3);
    assertEquals(0.2 + RollbackRule.normalQuantile(0.99) * Math.sqrt(0.16 / 400),
        DEFAULTS.predecessorError(80, 400), 1e-12);
    assertTrue(DEFAULTS.predecessorError(0, 400) > 0, "a perfect predecessor still leaves room for chance");
  }

  @Test
  void invalidRatesAreRefusedNamingTheField() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackRule(true, 0, 0.05, 0.02, 0.1, 1))
        .getMessage().contains("alpha"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackRule(true, 0.01, 0.05, 0.1, 0.1, 1))
        .getMessage().contains("delta"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackRule(true, 0.01, 0.05, 0.02, 0.1, 0))
        .getMessage().contains("minEvents"));
  }

  private static double rollbackRate(RollbackRule rule, double oldError, double newError, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int rollbacks = 0;
    for (int run = 0; run < RUNS; run++) {
      if (run(rule, oldError, newError, random) == RollbackRule.Verdict.ROLL_BACK) {
        rollbacks++;
      }
    }
    double rate = (double) rollbacks / RUNS;
    log.info("rollback rate {} with {} at error {} against {}", rate, rule, newError, oldError);
    return rate;
  }

  /** One sequential test until it decides or the horizon (undecided counts as kept). */
  private static RollbackRule.Verdict run(RollbackRule rule, double oldError, double newError,
                                          SplittableRandom random) {
    long errors = 0;
    for (long n = 1; n <= HORIZON; n++) {
      errors += random.nextDouble() < newError ? 1 : 0;
      RollbackRule.Verdict v = rule.decide(n, errors, oldError).verdict();
      if (v != RollbackRule.Verdict.CONTINUE) {
        return v;
      }
    }
    return RollbackRule.Verdict.KEEP;
  }
}
