package io.streamlearn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.data.Flights;
import io.streamlearn.features.FeatureSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
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

  /** Flights-like records in time order whose delay depends on the hour and the origin, with noise. */
  private static List<byte[]> flights(int n, long seed) {
    Random random = new Random(seed);
    String[] airports = {"DTW", "LAS", "SFO", "OAK", "HNL", "JFK", "ORD", "ATL"};
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int hour = 6 + random.nextInt(17);
      int origin = random.nextInt(airports.length);
      int delay = (int) (random.nextGaussian() * 20 + hour - 10 + 4 * origin);
      records.add(String.format(Locale.ROOT, "{\"date\":\"2001/01/%02d %02d:%02d\",\"delay\":%d,\"distance\":%d,"
          + "\"origin\":\"%s\",\"destination\":\"%s\"}", 1 + i * 28 / n, hour, random.nextInt(60), delay,
          200 + random.nextInt(2500), airports[origin], airports[random.nextInt(airports.length)])
          .getBytes(StandardCharsets.UTF_8));
    }
    return records;
  }

  @Test
  void theSparsePathScoresAsTheDenseNetworkOnOneHotRows() {
    List<byte[]> records = flights(1600, 3);
    FeatureSpec spec = FeatureSpec.parse(Flights.SPEC);
    for (String optimizer : List.of("sgd(0.5)", Flights.OPTIMIZER)) { // lazy and dense updates agree for both
      FlightsQuality.Result sparse = FlightsQuality.run(records, spec, Flights.LAYERS, optimizer, 32, 42, false);
      FlightsQuality.Result dense = FlightsQuality.run(records, spec, Flights.LAYERS, optimizer, 32, 42, true);
      assertEquals(dense.auc(), sparse.auc(), 1e-4, optimizer);
      assertEquals(dense.logLoss(), sparse.logLoss(), 1e-4, optimizer);
      assertTrue(sparse.auc() > 0.6, optimizer + " learns the hour and the origin: AUC " + sparse.auc());
    }
  }
}
