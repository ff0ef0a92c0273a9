package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.eval.ChallengerSprt.Verdict;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Wald's SPRT on discordant pairs: hand-computed values, and its error rates by simulation. */
class ChallengerSprtTest {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ChallengerSprtTest.class);
  private static final ChallengerSprt DEFAULTS = new ChallengerSprt(0.05, 0.2, 0.1);
  private static final int TRIALS = 20_000;
  /** Far beyond the expected sample size (tens of pairs): an undecided walk that long counts as undecided. */
  private static final int MAX_PAIRS = 5_000;

  @Test
  void boundariesAndRatioMatchTheHandComputedValues() {
    assertEquals(Math.log(16), DEFAULTS.upper(), 1e-12, "ln((1 - 0.2) / 0.05)");
    assertEquals(-1.558144618, DEFAULTS.lower(), 1e-9, "ln(0.2 / 0.95)");
    // 5 ln 1.2 - 3 ln 1.25 = 0.911608 - 0.669431
    assertEquals(0.242177, DEFAULTS.logLikelihoodRatio(3, 5), 1e-6);
    assertEquals(0.0, DEFAULTS.logLikelihoodRatio(0, 0), 0.0);
  }

  @Test
  void theVerdictChangesExactlyWhereTheRatioCrossesABoundary() {
    // c ln 1.2 crosses ln 16 = 2.7726 at c = 16 (15: 2.7348, 16: 2.9171)
    assertEquals(Verdict.UNDECIDED, DEFAULTS.verdict(0, 15));
    assertEquals(Verdict.CHALLENGER_BETTER, DEFAULTS.verdict(0, 16));
    // b ln 0.8 falls to ln(0.2 / 0.95) = -1.5581 at b = 7 (6: -1.3389, 7: -1.5620)
    assertEquals(Verdict.UNDECIDED, DEFAULTS.verdict(6, 0));
    assertEquals(Verdict.NOT_BETTER, DEFAULTS.verdict(7, 0));
    // as many live-only as challenger-only wins lean to H0: each pair of them adds ln 0.96
    assertEquals(Verdict.NOT_BETTER, DEFAULTS.verdict(40, 40));
  }

  @Test
  void invalidErrorRatesAreRefusedNamingTheParameter() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ChallengerSprt(0.5, 0.2, 0.1));
    assertTrue(e.getMessage().contains("alpha"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ChallengerSprt(0.05, 0, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new ChallengerSprt(0.05, 0.2, Double.NaN));
  }

  @Test
  void underSameQualityTheFalsePromotionRateIsAtMostAlpha() {
    double rate = promotionRate(DEFAULTS, 0.5, 11);
    // Wald: at most alpha / (1 - beta) = 0.0625; the discrete walk's overshoot keeps it under alpha.
    // Three standard errors of the estimate: 3 sqrt(0.05 * 0.95 / 20000) = 0.0046.
    assertTrue(rate <= 0.05 + 0.0046, "false promotions under H0: " + rate);
  }

  @Test
  void aChallengerDeltaBetterIsPromotedWithPowerAtLeastOneMinusBeta() {
    double power = promotionRate(DEFAULTS, 0.6, 12);
    // three standard errors: 3 sqrt(0.8 * 0.2 / 20000) = 0.0085
    assertTrue(power >= 0.8 - 0.0085, "power under H1: " + power);
  }

  @Test
  void aWorseChallengerIsPromotedLessOftenThanUnderSameQuality() {
    double rate = promotionRate(DEFAULTS, 0.4, 13);
    assertTrue(rate < 0.01, "promotions of a worse challenger: " + rate);
  }

  @Test
  void stricterErrorRatesHoldToo() {
    ChallengerSprt strict = new ChallengerSprt(0.01, 0.05, 0.1);
    double falsePromotions = promotionRate(strict, 0.5, 14);
    double power = promotionRate(strict, 0.6, 15);
    assertTrue(falsePromotions <= 0.01 + 3 * Math.sqrt(0.01 * 0.99 / TRIALS), "false promotions: " + falsePromotions);
    assertTrue(power >= 0.95 - 3 * Math.sqrt(0.95 * 0.05 / TRIALS), "power: " + power);
  }

  /**
   * The share of {@link #TRIALS} sequential runs that end in "challenger better" when the challenger
   * wins each discordant pair with probability {@code p}, the test consulted after every pair.
   */
  private static double promotionRate(ChallengerSprt test, double p, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int promoted = 0;
    for (int t = 0; t < TRIALS; t++) {
      long b = 0;
      long c = 0;
      Verdict v = Verdict.UNDECIDED;
      for (int i = 0; i < MAX_PAIRS && v == Verdict.UNDECIDED; i++) {
        if (random.nextDouble() < p) {
          c++;
        } else {
          b++;
        }
        v = test.verdict(b, c);
      }
      if (v == Verdict.CHALLENGER_BETTER) {
        promoted++;
      }
    }
    double rate = promoted / (double) TRIALS;
    log.info("{}: promoted in {} of {} runs at p = {}", test, rate, TRIALS, p); // docs/evaluation.md's table
    return rate;
  }
}
