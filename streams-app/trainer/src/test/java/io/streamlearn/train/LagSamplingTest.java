package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LagSamplingTest {
  @Test
  void theRateIsMaxLagOverTheBacklogRoundedDownToASixteenthAndNeverBelowOne16th() {
    assertEquals(1.0, LagSampling.rate(0, 1_000_000), "0 is off");
    assertEquals(1.0, LagSampling.rate(1_000, 1_000), "within the bound");
    assertEquals(15.0 / 16, LagSampling.rate(1_000, 1_001));
    assertEquals(8.0 / 16, LagSampling.rate(1_000, 2_000));
    assertEquals(5.0 / 16, LagSampling.rate(1_000, 3_000), "1/3 = 5.33/16");
    assertEquals(1.0 / 16, LagSampling.rate(1_000, 16_000));
    assertEquals(LagSampling.MIN_RATE, LagSampling.rate(1_000, 1_000_000), "far behind: still 1 in 16");
  }

  @Test
  void aRateKeepsThatShareOfIdsIndependentlyOfTheHoldOut() {
    int n = 200_000;
    int kept = 0;
    int held = 0;
    int keptAndHeld = 0;
    for (int i = 0; i < n; i++) {
      String id = "event-" + i;
      boolean k = LagSampling.keeps(id, 0.25);
      boolean h = HoldOut.isHeldOut(id, 0.1);
      kept += k ? 1 : 0;
      held += h ? 1 : 0;
      keptAndHeld += k && h ? 1 : 0;
    }
    // binomial standard deviations sqrt(n p (1-p)): 194 kept, 134 held out, 70 both
    assertEquals(0.25 * n, kept, 5 * 194, "kept");
    assertEquals(0.025 * n, keptAndHeld, 5 * 70, "held out and kept: the product of the shares, "
        + "not the hold-out's bucket range reused");
    assertEquals(0.1 * n, held, 5 * 134);
  }

  @Test
  void aLowerRateKeepsASubsetOfWhatAHigherRateKeeps() {
    for (int i = 0; i < 10_000; i++) {
      String id = "e" + i;
      if (LagSampling.keeps(id, 0.25)) {
        assertTrue(LagSampling.keeps(id, 0.5), id);
      }
      assertTrue(LagSampling.keeps(id, 1.0));
    }
  }
}
