package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import org.junit.jupiter.api.Test;

class LearnerTest {

  private static final int INPUTS = 6;
  private static final int CLASSES = 3;

  /** Gaussian blobs, one per class, with a fixed seed. */
  static float[][] blobs(int rows, long seed) {
    Random random = new Random(seed);
    float[] x = new float[rows * INPUTS];
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      int c = random.nextInt(CLASSES);
      y[r] = c;
      for (int j = 0; j < INPUTS; j++) {
        x[r * INPUTS + j] = (float) (random.nextGaussian() * 0.7 + (j % CLASSES == c ? 2.0 : 0.0));
      }
    }
    return new float[][] {x, y};
  }

  static TrainingConfig config(String spec, OptimizerConfig optimizer) {
    return new TrainingConfig(NetworkSpec.parse(INPUTS, spec), Loss.SOFTMAX_CROSS_ENTROPY, optimizer, 32, 5);
  }

  private static float accuracy(Learner learner, float[] x, float[] y, int rows) {
    float[] out = new float[rows * CLASSES];
    learner.predict(x, rows, out);
    int[] predicted = new int[rows];
    Model.argmax(out, rows, CLASSES, predicted);
    int correct = 0;
    for (int r = 0; r < rows; r++) {
      if (predicted[r] == (int) y[r]) {
        correct++;
      }
    }
    return (float) correct / rows;
  }

  @Test
  void learnsSeparableBlobsWithEveryOptimizer() {
    float[][] train = blobs(3200, 1);
    float[][] test = blobs(500, 2);
    List<OptimizerConfig> optimizers = List.of(OptimizerConfig.adam(0.01), OptimizerConfig.sgd(0.1, 0.9),
        OptimizerConfig.nesterov(0.1, 0.9), OptimizerConfig.sgd(0.2, 0), OptimizerConfig.rmsprop(0.005),
        OptimizerConfig.adagrad(0.1));
    for (OptimizerConfig optimizer : optimizers) {
      Learner learner = new Learner(config("dense(16,relu) > dropout(0.1) > dense(3,softmax)", optimizer));
      float before = accuracy(learner, test[0], test[1], 500);
      float firstLoss = Float.NaN;
      float lastLoss = Float.NaN;
      for (int b = 0; b < 100; b++) {
        float[] x = java.util.Arrays.copyOfRange(train[0], b * 32 * INPUTS, (b + 1) * 32 * INPUTS);
        float[] y = java.util.Arrays.copyOfRange(train[1], b * 32, (b + 1) * 32);
        float loss = learner.fit(x, y, 32);
        if (b == 0) {
          firstLoss = loss;
        }
        lastLoss = loss;
      }
      float after = accuracy(learner, test[0], test[1], 500);
      assertTrue(after > 0.9f, optimizer.kind() + ": accuracy " + before + " -> " + after);
      assertTrue(lastLoss < firstLoss, optimizer.kind() + ": loss " + firstLoss + " -> " + lastLoss);
      assertEquals(100, learner.steps());
    }
  }

  @Test
  void fixedSeedGivesBitIdenticalWeights() {
    float[][] data = blobs(640, 3);
    List<List<NamedTensor>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      Learner learner = new Learner(config("dense(16,tanh) > dropout(0.3) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
      for (int b = 0; b < 20; b++) {
        learner.fit(java.util.Arrays.copyOfRange(data[0], b * 32 * INPUTS, (b + 1) * 32 * INPUTS),
            java.util.Arrays.copyOfRange(data[1], b * 32, (b + 1) * 32), 32);
      }
      runs.add(learner.parameters());
    }
    assertEquals(runs.get(0), runs.get(1));
    Learner otherSeed = new Learner(new TrainingConfig(NetworkSpec.parse(INPUTS, "dense(16,tanh) > dense(3,softmax)"),
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 32, 6));
    Learner sameSeed = new Learner(new TrainingConfig(NetworkSpec.parse(INPUTS, "dense(16,tanh) > dense(3,softmax)"),
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 32, 5));
    assertNotEquals(otherSeed.parameters(), sameSeed.parameters());
  }

  @Test
  void nonFiniteLossLeavesEverythingUnchanged() {
    Learner learner = new Learner(config("dense(8,relu) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
    float[][] data = blobs(32, 4);
    learner.fit(data[0], data[1], 32);
    List<NamedTensor> params = learner.parameters();
    OptimizerState state = learner.optimizerState();
    float[] bad = data[0].clone();
    bad[5] = Float.NaN;
    float loss = learner.fit(bad, data[1], 32);
    assertTrue(Float.isNaN(loss));
    assertEquals(params, learner.parameters());
    assertEquals(state, learner.optimizerState());
    assertEquals(1, learner.steps());
    assertEquals(1, learner.nonFiniteBatches());
    float[] huge = data[0].clone();
    java.util.Arrays.fill(huge, 3e38f);
    assertFalse(Float.isFinite(learner.fit(huge, data[1], 32)));
    assertEquals(params, learner.parameters());
  }

  @Test
  void rejectsBadBatches() {
    Learner learner = new Learner(config("dense(3,softmax)", OptimizerConfig.sgd(0.1, 0)));
    float[][] data = blobs(33, 4);
    assertThrows(IllegalArgumentException.class, () -> learner.fit(data[0], data[1], 0));
    float[] labels = data[1].clone();
    labels[0] = 3;
    assertThrows(IllegalArgumentException.class, () -> learner.fit(data[0], labels, 32));
    labels[0] = 0.5f;
    assertThrows(IllegalArgumentException.class, () -> learner.fit(data[0], labels, 32));
    assertEquals(0, learner.steps());
  }

  @Test
  void anyRowCountUpToTheMaximumAndPredictMatchesSnapshot() {
    Learner learner = new Learner(config("dense(8,sigmoid) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
    float[][] data = blobs(100, 7);
    for (int rows = 1; rows <= 32; rows += 5) {
      learner.fit(data[0], data[1], rows);
    }
    float[] fromLearner = new float[100 * CLASSES];
    learner.predict(data[0], 100, fromLearner);
    Model model = learner.snapshot(Preprocessing.identity());
    float[] fromModel = new float[100 * CLASSES];
    model.predict(data[0], 100, fromModel);
    assertArrayEquals(fromLearner, fromModel);
    for (int r = 0; r < 100; r++) {
      float sum = fromModel[r * 3] + fromModel[r * 3 + 1] + fromModel[r * 3 + 2];
      assertEquals(1f, sum, 1e-5f);
    }
    float[] one = model.predict(java.util.Arrays.copyOfRange(data[0], 6 * INPUTS, 7 * INPUTS));
    assertArrayEquals(java.util.Arrays.copyOfRange(fromModel, 18, 21), one, 1e-6f);
  }

  @Test
  void parametersRoundTripAndAreValidated() {
    Learner a = new Learner(config("dense(4,relu) > dropout(0.5) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
    List<NamedTensor> params = a.parameters();
    assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"),
        params.stream().map(NamedTensor::name).toList());
    assertArrayEquals(new int[] {INPUTS, 4}, params.get(0).shape());
    Learner b = new Learner(new TrainingConfig(a.config().spec(), Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 32, 99));
    b.setParameters(params);
    assertEquals(params, b.parameters());
    List<NamedTensor> missing = params.subList(0, 3);
    assertThrows(IllegalArgumentException.class, () -> b.setParameters(missing));
    List<NamedTensor> misshapen = new ArrayList<>(params);
    misshapen.set(1, new NamedTensor("layers.0.bias", new int[] {5}, new float[5]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.setParameters(misshapen));
    assertTrue(e.getMessage().contains("layers.0.bias"), e.getMessage());
    List<NamedTensor> nan = new ArrayList<>(params);
    nan.set(3, new NamedTensor("layers.2.bias", new int[] {3}, new float[] {0, Float.NaN, 0}));
    e = assertThrows(IllegalArgumentException.class, () -> Model.of(a.config().spec(), nan, Preprocessing.identity()));
    assertTrue(e.getMessage().contains("layers.2.bias"), e.getMessage());
  }

  @Test
  void optimizerStateRestoresExactly() {
    float[][] data = blobs(320, 8);
    Learner a = new Learner(config("dense(8,relu) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
    for (int b = 0; b < 5; b++) {
      a.fit(java.util.Arrays.copyOfRange(data[0], b * 32 * INPUTS, (b + 1) * 32 * INPUTS),
          java.util.Arrays.copyOfRange(data[1], b * 32, (b + 1) * 32), 32);
    }
    Learner b = new Learner(a.config());
    b.setParameters(a.parameters());
    b.restoreOptimizerState(a.optimizerState());
    assertEquals(5, b.steps());
    for (int k = 5; k < 10; k++) {
      float[] x = java.util.Arrays.copyOfRange(data[0], k * 32 * INPUTS, (k + 1) * 32 * INPUTS);
      float[] y = java.util.Arrays.copyOfRange(data[1], k * 32, (k + 1) * 32);
      assertEquals(a.fit(x, y, 32), b.fit(x, y, 32));
    }
    assertEquals(a.parameters(), b.parameters());
    Learner sgd = new Learner(config("dense(8,relu) > dense(3,softmax)", OptimizerConfig.sgd(0.1, 0.9)));
    assertThrows(IllegalArgumentException.class, () -> sgd.restoreOptimizerState(a.optimizerState()));
  }

  @Test
  void fitReadsBatchesInPlaceLikeCopies() {
    float[][] data = blobs(96, 9);
    Learner inPlace = new Learner(config("dense(8,relu) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
    Learner copied = new Learner(inPlace.config());
    float[] p1 = new float[32 * CLASSES];
    float[] p2 = new float[32 * CLASSES];
    for (int b = 0; b < 3; b++) {
      float l1 = inPlace.fit(data[0], b * 32, data[1], b * 32, 32, p1);
      float l2 = copied.fit(java.util.Arrays.copyOfRange(data[0], b * 32 * INPUTS, (b + 1) * 32 * INPUTS),
          java.util.Arrays.copyOfRange(data[1], b * 32, (b + 1) * 32), 32, p2);
      assertEquals(l2, l1);
      assertArrayEquals(p2, p1);
    }
    assertEquals(copied.parameters(), inPlace.parameters());
    assertThrows(IllegalArgumentException.class, () -> inPlace.fit(data[0], 70, data[1], 0, 32, null));
    assertThrows(IllegalArgumentException.class, () -> inPlace.fit(data[0], 0, data[1], -1, 32, null));
  }

  /**
   * Regression test: native buffers once were NIO views of ND4J DataBuffers that nothing else
   * referenced, so a garbage collection freed the memory under a live learner.
   */
  @Test
  void buffersSurviveGarbageCollection() throws InterruptedException {
    float[][] data = blobs(320, 10);
    Learner collected = new Learner(config("dense(16,relu) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
    Learner reference = new Learner(collected.config());
    Model model = collected.snapshot(Preprocessing.identity());
    float[] before = new float[10 * CLASSES];
    model.predict(data[0], 10, before);
    for (int b = 0; b < 10; b++) {
      for (int round = 0; round < 3; round++) {
        System.gc();
        // churn native memory so freed blocks get reused
        byte[][] junk = new byte[64][];
        for (int k = 0; k < junk.length; k++) {
          junk[k] = new byte[1 << 16];
        }
        Thread.sleep(20);
        // native blocks of the sizes the network uses, filled with junk: a freed buffer
        // would be handed out again and overwritten here
        for (int size : new int[] {32 * INPUTS, 32 * 16, 32 * 3, INPUTS * 16, 16 * 3, 16, 3}) {
          for (int k = 0; k < 20; k++) {
            java.nio.FloatBuffer f = Network.floats(org.nd4j.linalg.factory.Nd4j.createBuffer(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, size, false));
            for (int i = 0; i < size; i++) {
              f.put(i, 1e30f);
            }
          }
        }
      }
      float l1 = collected.fit(data[0], b * 32, data[1], b * 32, 32, null);
      float l2 = reference.fit(data[0], b * 32, data[1], b * 32, 32, null);
      assertEquals(l2, l1, "batch " + b);
    }
    assertEquals(reference.parameters(), collected.parameters());
    float[] after = new float[10 * CLASSES];
    model.predict(data[0], 10, after);
    assertArrayEquals(before, after);
  }

  @Test
  void aBatchLargerThanMaxBatchSizeGrowsTheBuffersAndTrainsAsALargerLearnerWould() {
    float[][] data = blobs(200, 11);
    String spec = "dense(8,relu) > dropout(0.2) > dense(3,softmax)";
    Learner small = new Learner(new TrainingConfig(NetworkSpec.parse(INPUTS, spec), Loss.SOFTMAX_CROSS_ENTROPY,
        OptimizerConfig.adam(0.01), 4, 5));
    Learner large = new Learner(new TrainingConfig(small.config().spec(), Loss.SOFTMAX_CROSS_ENTROPY,
        OptimizerConfig.adam(0.01), 64, 5));
    int row = 0;
    for (int rows : new int[] {3, 10, 4, 40, 9, 64}) {
      float[] p1 = new float[rows * CLASSES];
      float[] p2 = new float[rows * CLASSES];
      float l1 = small.fit(data[0], row, data[1], row, rows, p1);
      float l2 = large.fit(data[0], row, data[1], row, rows, p2);
      assertEquals(l2, l1, "batch of " + rows + " rows");
      assertArrayEquals(p2, p1, "batch of " + rows + " rows");
      row += rows;
    }
    assertEquals(large.parameters(), small.parameters());
    assertEquals(64, large.batchCapacity());
    assertTrue(small.batchCapacity() >= 64, "capacity " + small.batchCapacity());
    assertEquals(large.evaluate(data[0], data[1], 100), small.evaluate(data[0], data[1], 100));
  }

  @Test
  void intClassLabelsTrainExactlyAsTheirFloatForm() {
    float[][] data = blobs(96, 12);
    int[] labels = new int[96];
    for (int r = 0; r < 96; r++) {
      labels[r] = (int) data[1][r];
    }
    Learner fromFloats = new Learner(config("dense(8,relu) > dropout(0.1) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
    Learner fromInts = new Learner(fromFloats.config());
    float[] p1 = new float[32 * CLASSES];
    float[] p2 = new float[32 * CLASSES];
    assertEquals(fromFloats.fit(data[0], data[1], 32), fromInts.fit(data[0], labels, 32));
    assertEquals(fromFloats.fit(data[0], 32, data[1], 32, 32, p1), fromInts.fit(data[0], 32, labels, 32, 32, p2));
    assertArrayEquals(p1, p2);
    assertEquals(fromFloats.fit(data[0], data[1], 16, p1), fromInts.fit(data[0], labels, 16, p2));
    assertArrayEquals(p1, p2);
    assertEquals(fromFloats.parameters(), fromInts.parameters());
    assertEquals(fromFloats.evaluate(data[0], data[1], 96), fromInts.evaluate(data[0], labels, 96));
  }

  @Test
  void intClassLabelsAreCheckedAndNeedALossThatTakesClasses() {
    float[][] data = blobs(8, 13);
    Learner softmax = new Learner(config("dense(3,softmax)", OptimizerConfig.sgd(0.1, 0)));
    assertThrows(IllegalArgumentException.class, () -> softmax.fit(data[0], new int[] {0, 1, 3, 0}, 4));
    assertThrows(IllegalArgumentException.class, () -> softmax.fit(data[0], new int[] {0, -1, 2, 0}, 4));
    assertThrows(IllegalArgumentException.class, () -> softmax.fit(data[0], new int[] {0, 1}, 4));
    assertEquals(0, softmax.steps());

    Learner binary = new Learner(new TrainingConfig(NetworkSpec.parse(INPUTS, "dense(1,sigmoid)"),
        Loss.BINARY_CROSS_ENTROPY, OptimizerConfig.sgd(0.1, 0), 4, 5));
    assertTrue(Float.isFinite(binary.fit(data[0], new int[] {0, 1, 1, 0}, 4)));
    assertThrows(IllegalArgumentException.class, () -> binary.fit(data[0], new int[] {0, 2, 1, 0}, 4));

    Learner regression = new Learner(new TrainingConfig(NetworkSpec.parse(INPUTS, "dense(1,linear)"), Loss.MSE,
        OptimizerConfig.sgd(0.1, 0), 4, 5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> regression.fit(data[0], new int[] {0, 1, 1, 0}, 4));
    assertTrue(e.getMessage().contains("float targets"), e.getMessage());
    assertEquals(0, regression.steps());
  }

  @Test
  void aSnapshotWithoutPreprocessorTakesInputsAsTheyAre() {
    float[][] data = blobs(20, 14);
    Learner learner = new Learner(config("dense(4,tanh) > dense(3,softmax)", OptimizerConfig.adam(0.01)));
    learner.fit(data[0], data[1], 20);
    float[] expected = new float[20 * CLASSES];
    learner.snapshot(Preprocessing.identity()).predict(data[0], 20, expected);
    float[] plain = new float[20 * CLASSES];
    learner.snapshot().predict(data[0], 20, plain);
    assertArrayEquals(expected, plain);
    float[] rebuilt = new float[20 * CLASSES];
    Model.of(learner.config().spec(), learner.parameters()).predict(data[0], 20, rebuilt);
    assertArrayEquals(expected, rebuilt);
    assertTrue(learner.snapshot().preprocessing().isIdentity());
  }
}
