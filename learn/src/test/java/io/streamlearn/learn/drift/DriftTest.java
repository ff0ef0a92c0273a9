package io.streamlearn.learn.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class DriftTest {

  /** Bernoulli errors with rate 0.1 for 5000 values, then 0.5. */
  private static int firstDetectionAfter(DriftDetector detector, long seed, int[] falseAlarms) {
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      double rate = i < 5000 ? 0.1 : 0.5;
      boolean drift = detector.update(random.nextDouble() < rate ? 1.0 : 0.0);
      if (drift && i < 5000) {
        falseAlarms[0]++;
      }
      if (drift && i >= 5000) {
        return i - 5000;
      }
    }
    return -1;
  }

  @Test
  void adwinDetectsAnAbruptChangeQuicklyAndShrinksItsWindow() {
    for (long seed = 1; seed <= 5; seed++) {
      Adwin adwin = new Adwin(0.002);
      int[] falseAlarms = {0};
      int delay = firstDetectionAfter(adwin, seed, falseAlarms);
      assertTrue(delay >= 0 && delay < 300, "seed " + seed + ": detection delay " + delay);
      assertEquals(0, falseAlarms[0], "seed " + seed + ": false alarms on a stationary stream");
      Random random = new Random(seed + 100);
      for (int i = 0; i < 3000; i++) {
        adwin.update(random.nextDouble() < 0.5 ? 1.0 : 0.0);
      }
      assertTrue(adwin.width() < 3000 + 500, "window should have dropped the old concept, width " + adwin.width());
      assertEquals(0.5, adwin.mean(), 0.05, "window mean should track the new rate");
    }
  }

  @Test
  void adwinStaysQuietOnAStationaryStream() {
    Adwin adwin = new Adwin(0.002);
    Random random = new Random(9);
    int detections = 0;
    for (int i = 0; i < 20_000; i++) {
      if (adwin.update(random.nextDouble() < 0.3 ? 1.0 : 0.0)) {
        detections++;
      }
    }
    assertEquals(0, detections);
    assertEquals(20_000, adwin.width());
    assertEquals(0.3, adwin.mean(), 0.02);
    adwin.reset();
    assertEquals(0, adwin.width());
  }

  @Test
  void pageHinkleyDetectsAnIncrease() {
    for (long seed = 1; seed <= 5; seed++) {
      PageHinkley ph = new PageHinkley(30, 0.005, 50);
      int[] falseAlarms = {0};
      int delay = firstDetectionAfter(ph, seed, falseAlarms);
      assertTrue(delay >= 0 && delay < 400, "seed " + seed + ": detection delay " + delay);
      assertEquals(0, falseAlarms[0], "seed " + seed);
    }
    assertThrows(IllegalArgumentException.class, () -> new PageHinkley(0, 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Adwin(1.5));
  }
}
