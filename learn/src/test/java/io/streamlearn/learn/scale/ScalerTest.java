package io.streamlearn.learn.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import io.streamlearn.tensor.Preprocessing;
import org.junit.jupiter.api.Test;

class ScalerTest {

  @Test
  void standardScalerMatchesTwoPassStatistics() {
    Random random = new Random(1);
    int rows = 1000;
    float[] x = new float[rows * 2];
    for (int r = 0; r < rows; r++) {
      x[2 * r] = (float) (1e4 + random.nextGaussian() * 3);
      x[2 * r + 1] = 7f;
    }
    StandardScaler scaler = new StandardScaler(2);
    // uneven batches exercise the streaming update
    scaler.update(java.util.Arrays.copyOfRange(x, 0, 2 * 333), 333);
    scaler.update(java.util.Arrays.copyOfRange(x, 2 * 333, 2 * rows), rows - 333);
    double mean = 0;
    for (int r = 0; r < rows; r++) {
      mean += x[2 * r];
    }
    mean /= rows;
    double var = 0;
    for (int r = 0; r < rows; r++) {
      var += (x[2 * r] - mean) * (x[2 * r] - mean);
    }
    var /= rows;
    assertEquals(mean, scaler.mean(0), 1e-9 * Math.abs(mean));
    assertEquals(var, scaler.variance(0), 1e-6 * var);
    Preprocessing p = scaler.freeze();
    assertEquals((float) mean, p.offset()[0], 1e-3f);
    assertEquals((float) (1 / Math.sqrt(var)), p.scale()[0], 1e-6f);
    assertEquals(1f, p.scale()[1], 0f);
    float[] one = {(float) mean, 7f};
    scaler.transform(one, 1);
    assertArrayEquals(new float[] {0f, 0f}, one, 1e-3f);
    OnlineScaler restored = OnlineScaler.restore(scaler.export());
    assertEquals(scaler.freeze(), restored.freeze());
    assertEquals(rows, restored.count());
  }

  @Test
  void minMaxScalesToUnitRange() {
    MinMaxScaler scaler = new MinMaxScaler(2);
    scaler.update(new float[] {1, 5, 3, 5, -1, 5}, 3);
    float[] x = {3, 5, -1, 5, 1, 5};
    scaler.transform(x, 3);
    assertArrayEquals(new float[] {1, 0, 0, 0, 0.5f, 0}, x, 1e-6f);
    OnlineScaler restored = OnlineScaler.restore(scaler.export());
    assertEquals(scaler.freeze(), restored.freeze());
    assertEquals(new MinMaxScaler(2).freeze(), Preprocessing.identity());
  }

  @Test
  void anExportedStateRestoresTheSameKindAndStatistics() {
    MinMaxScaler minMax = new MinMaxScaler(2);
    minMax.update(new float[] {0.1f, -3, 0.7f, 2}, 2);
    OnlineScaler.State state = minMax.export();
    assertEquals("minmax", state.kind());
    assertArrayEquals(new double[] {0.1f, -3}, state.first());
    OnlineScaler restored = OnlineScaler.restore(state);
    assertInstanceOf(MinMaxScaler.class, restored);
    assertEquals(state, restored.export());
    assertEquals(new StandardScaler(3).export().kind(), OnlineScaler.restore(new StandardScaler(3).export()).kind());
  }

  @Test
  void aStateNamesWhatIsWrongWithIt() {
    assertThrows(IllegalArgumentException.class, () -> new OnlineScaler.State("standard", -1, new double[1], new double[1]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new OnlineScaler.State("minmax", 1, new double[2], new double[1]));
    assertTrue(e.getMessage().contains("minmax") && e.getMessage().contains("2 and 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> OnlineScaler.restore(new OnlineScaler.State("robust", 1, new double[1], new double[1])));
    assertTrue(e.getMessage().contains("robust"), e.getMessage());
  }

  @Test
  void rejectsShortInput() {
    assertThrows(IllegalArgumentException.class, () -> new StandardScaler(3).update(new float[5], 2));
    assertThrows(IllegalArgumentException.class, () -> new MinMaxScaler(0));
  }
}
