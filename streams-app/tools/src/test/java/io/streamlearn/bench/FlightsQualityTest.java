package io.streamlearn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FlightsQualityTest {

  @Test
  void aucCountsCorrectlyOrderedPairsWithTiesAsHalf() {
    // positives scored 0.9 and 0.5, negatives 0.5 and 0.1: pairs (0.9>0.5) (0.9>0.1) (0.5=0.5: half) (0.5>0.1) = 3.5 / 4
    assertEquals(0.875, FlightsQuality.auc(new double[] {0.9, 0.5, 0.5, 0.1}, new int[] {1, 1, 0, 0}), 1e-12);
    assertEquals(1.0, FlightsQuality.auc(new double[] {0.2, 0.8}, new int[] {0, 1}), 1e-12);
    assertEquals(0.0, FlightsQuality.auc(new double[] {0.2, 0.8}, new int[] {1, 0}), 1e-12);
  }

  @Test
  void logLossIsTheMeanNegativeLogLikelihoodClipped() {
    double expected = -(Math.log(0.8) + Math.log(1 - 0.3)) / 2;
    assertEquals(expected, FlightsQuality.logLoss(new double[] {0.8, 0.3}, new int[] {1, 0}), 1e-12);
    assertEquals(-Math.log(1e-15), FlightsQuality.logLoss(new double[] {0.0}, new int[] {1}), 1e-9);
  }
}
