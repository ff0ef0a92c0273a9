package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import org.junit.jupiter.api.Test;

class ModelTest {

  @Test
  void appliesThePreprocessorAndIsUnaffectedByLaterTraining() {
    float[][] data = LearnerTest.blobs(64, 3);
    Learner learner = new Learner(LearnerTest.config("dense(8,relu) > dropout(0.5) > dense(3,softmax)", OptimizerConfig.adam(0.05)));
    learner.fit(data[0], data[1], 32);
    Preprocessing pre = new Preprocessing("standard", new float[] {1, 1, 1, 1, 1, 1}, new float[] {2, 2, 2, 2, 2, 2});
    Model model = learner.snapshot(pre);
    float[] raw = java.util.Arrays.copyOf(data[0], 6 * 10);
    float[] scaled = raw.clone();
    pre.apply(scaled, 10);
    float[] expected = new float[30];
    learner.predict(scaled, 10, expected);
    float[] actual = new float[30];
    model.predict(raw, 10, actual);
    assertArrayEquals(expected, actual, 1e-6f);
    learner.fit(data[0], data[1], 32);
    float[] again = new float[30];
    model.predict(raw, 10, again);
    assertArrayEquals(actual, again);
    assertEquals(learner.config().spec(), model.spec());
  }

  @Test
  void largeBatchesAreChunkedAndMatchRowByRow() {
    float[][] data = LearnerTest.blobs(600, 4);
    Learner learner = new Learner(LearnerTest.config("dense(8,tanh) > dense(3,softmax)", OptimizerConfig.adam(0.05)));
    Model model = learner.snapshot(Preprocessing.identity());
    float[] all = new float[600 * 3];
    model.predict(data[0], 600, all);
    for (int r = 0; r < 600; r += 97) {
      float[] one = model.predict(java.util.Arrays.copyOfRange(data[0], r * 6, r * 6 + 6));
      assertArrayEquals(java.util.Arrays.copyOfRange(all, r * 3, r * 3 + 3), one, 1e-6f);
    }
  }

  @Test
  void concurrentPredictionsMatchSequentialOnes() throws Exception {
    float[][] data = LearnerTest.blobs(256, 5);
    Learner learner = new Learner(LearnerTest.config("dense(16,relu) > dense(3,softmax)", OptimizerConfig.adam(0.05)));
    learner.fit(data[0], data[1], 32);
    Model model = learner.snapshot(Preprocessing.identity());
    float[] expected = new float[256 * 3];
    model.predict(data[0], 256, expected);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(pool.submit(() -> {
          float[] out = new float[256 * 3];
          for (int rep = 0; rep < 20; rep++) {
            for (int r = 0; r < 256; r += 16) {
              float[] chunk = new float[16 * 3];
              model.predict(java.util.Arrays.copyOfRange(data[0], r * 6, (r + 16) * 6), 16, chunk);
              System.arraycopy(chunk, 0, out, r * 3, 16 * 3);
            }
          }
          return out;
        }));
      }
      for (Future<float[]> f : futures) {
        assertArrayEquals(expected, f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ofValidatesNamesShapesAndWidth() {
    NetworkSpec spec = NetworkSpec.parse(2, "dense(3,relu) > dense(1,sigmoid)");
    List<NamedTensor> params = List.of(new NamedTensor("layers.0.weight", new int[] {2, 3}, new float[6]),
        new NamedTensor("layers.0.bias", new int[] {3}, new float[3]),
        new NamedTensor("layers.1.weight", new int[] {3, 1}, new float[] {1, 2, 3}),
        new NamedTensor("layers.1.bias", new int[] {1}, new float[] {0}));
    Model model = Model.of(spec, params, Preprocessing.identity()).warmUp();
    assertEquals(0.5f, model.predict(new float[] {1, 1})[0], 1e-6f);
    assertEquals(params, model.parameters());
    assertThrows(IllegalArgumentException.class, () -> Model.of(spec, params,
        new Preprocessing("standard", new float[] {0, 0, 0}, new float[] {1, 2, 1})));
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> Model.of(spec, params,
        new Preprocessing("standard", new float[] {0, Float.NaN}, new float[] {1, 2})));
    assertTrue(nan.getMessage().contains("offset[1]"), nan.getMessage());
    List<NamedTensor> extra = new ArrayList<>(params);
    extra.add(new NamedTensor("layers.9.bias", new int[] {1}, new float[1]));
    assertThrows(IllegalArgumentException.class, () -> Model.of(spec, extra, Preprocessing.identity()));
    assertThrows(IllegalArgumentException.class, () -> model.predict(new float[3]));
  }
}
