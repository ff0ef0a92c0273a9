package io.streamlearn.learn.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void windowedMeanKeepsTheLastValues() {
    WindowedMean mean = new WindowedMean(3);
    assertTrue(Double.isNaN(mean.mean()));
    mean.add(1);
    mean.add(2);
    assertEquals(1.5, mean.mean(), 1e-12);
    mean.add(3);
    mean.add(10);
    assertEquals(5.0, mean.mean(), 1e-12);
    assertEquals(4, mean.count());
    assertEquals(3, mean.size());
    for (int i = 0; i < 1_000_000; i++) {
      mean.add(0.1);
    }
    assertEquals(0.1, mean.mean(), 1e-12);
  }

  @Test
  void fadingMeanWeighsRecentValuesMore() {
    FadingMean mean = new FadingMean(0.5);
    mean.add(0);
    mean.add(1);
    // (0.5*0 + 1) / (0.5*1 + 1)
    assertEquals(1 / 1.5, mean.mean(), 1e-12);
    FadingMean plain = new FadingMean(1.0);
    plain.add(2);
    plain.add(4);
    assertEquals(3, plain.mean(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> new FadingMean(0));
  }

  @Test
  void confusionMatrixPrecisionRecall() {
    ConfusionMatrix m = new ConfusionMatrix(3);
    m.add(0, 0);
    m.add(0, 1);
    m.add(1, 1);
    m.add(2, 1);
    assertEquals(0.5, m.accuracy(), 1e-12);
    assertEquals(1.0 / 3, m.precision(1), 1e-12);
    assertEquals(0.5, m.recall(0), 1e-12);
    assertTrue(Double.isNaN(m.precision(2)));
    assertArrayEquals(new long[] {1, 1, 0}, m.toArray()[0]);
    m.remove(0, 1);
    assertEquals(1.0, m.recall(0), 1e-12);
    assertThrows(IllegalStateException.class, () -> m.remove(2, 2));
    assertThrows(IllegalArgumentException.class, () -> m.add(3, 0));
  }
}
