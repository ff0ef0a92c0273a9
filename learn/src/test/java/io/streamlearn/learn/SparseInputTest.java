package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.tensor.SparseRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Networks over sparse fields: the gather-and-sum first layer and {@code embedding(dim)} against
 * finite differences, against the dense path on the same rows in one-hot form, by hand, and the
 * lazy optimizer updates.
 */
class SparseInputTest {

  private static final FeatureLayout LAYOUT = new FeatureLayout(3,
      List.of(new FeatureLayout.SparseField("origin", 4), new FeatureLayout.SparseField("destination", 6)));
  private static final FeatureLayout NO_DENSE = new FeatureLayout(0,
      List.of(new FeatureLayout.SparseField("a", 5), new FeatureLayout.SparseField("b", 3)));

  /** Random rows: dense Gaussians, one or two entries per field (a repeated slot now and then), some values not 1. */
  static SparseRows rows(FeatureLayout layout, int n, Random random) {
    SparseRows rows = new SparseRows(layout, 2);
    for (int r = 0; r < n; r++) {
      rows.addRow();
      for (int j = 0; j < layout.denseWidth(); j++) {
        rows.setDense(j, (float) random.nextGaussian());
      }
      for (int f = 0; f < layout.sparseFields().size(); f++) {
        int size = layout.sparseFields().get(f).size();
        int first = random.nextInt(size);
        rows.addSparse(f, first, 1f);
        if (random.nextBoolean()) {
          rows.addSparse(f, random.nextBoolean() ? first : random.nextInt(size), (float) (0.5 + random.nextDouble()));
        }
      }
    }
    return rows;
  }

  private static TrainingConfig config(String layers, FeatureLayout layout, Loss loss, OptimizerConfig optimizer,
      int batch) {
    return new TrainingConfig(NetworkSpec.parse(layout.totalWidth(), layers), loss, optimizer, batch, 7, layout);
  }

  @TestFactory
  List<DynamicTest> gradientsMatchFiniteDifferences() {
    List<DynamicTest> tests = new ArrayList<>();
    String[] nets = {
        "dense(5,tanh) > dense(3,softmax)",
        "dense(5,relu) > dropout(0.3) > dense(4,sigmoid) > dense(3,softmax)",
        "dense(3,softmax)",
        "embedding(2) > dense(5,tanh) > dense(3,softmax)",
        "embedding(3) > dropout(0.25) > dense(4,relu) > dense(3,softmax)",
        "embedding(2) > dense(3,softmax)"};
    for (String net : nets) {
      for (FeatureLayout layout : List.of(LAYOUT, NO_DENSE)) {
        tests.add(DynamicTest.dynamicTest(net + " over " + layout.denseWidth() + " dense columns",
            () -> checkGradient(net, layout)));
      }
    }
    return tests;
  }

  private static void checkGradient(String net, FeatureLayout layout) {
    int rows = 6;
    Learner learner = new Learner(config(net, layout, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.sgd(0.1, 0), rows));
    Random random = new Random(11);
    float[] params = learner.flatParameters();
    for (int k = 0; k < params.length; k++) {
      params[k] += (float) (0.1 * random.nextGaussian());
    }
    learner.setFlatParameters(params);
    SparseRows x = rows(layout, rows, random);
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      y[r] = random.nextInt(3);
    }
    float[] analytic = new float[params.length];
    learner.lossAndGradient(x, y, analytic);
    double eps = 1e-3;
    double worst = 0;
    String worstAt = "";
    for (int k = 0; k < params.length; k++) {
      float original = params[k];
      params[k] = (float) (original + eps);
      learner.setFlatParameters(params);
      double plus = learner.lossAndGradient(x, y, null);
      params[k] = (float) (original - eps);
      learner.setFlatParameters(params);
      double minus = learner.lossAndGradient(x, y, null);
      params[k] = original;
      double numeric = (plus - minus) / ((double) (float) (original + eps) - (float) (original - eps));
      double error = Math.abs(numeric - analytic[k]) / (5e-4 + 1e-2 * Math.abs(numeric));
      if (error > worst) {
        worst = error;
        worstAt = "parameter " + k + ": analytic " + analytic[k] + " numeric " + numeric;
      }
    }
    assertTrue(worst <= 1.0, "gradient mismatch at " + worstAt + " (error ratio " + worst + ")");
  }

  @Test
  void aSparseModelPredictsWhatTheDenseModelPredictsOnTheOneHotRows() {
    Learner learner = new Learner(config("dense(8,relu) > dense(4,tanh) > dense(3,softmax)", LAYOUT,
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 16));
    SparseRows x = rows(LAYOUT, 300, new Random(3));
    NetworkSpec spec = learner.config().spec();
    float[] offset = {0.5f, -1f, 2f};
    float[] scale = {2f, 0.5f, 1.5f};
    Model sparse = Model.of(spec, learner.parameters(), Preprocessing.scaling("standard", offset, scale), LAYOUT);
    float[] wideOffset = new float[LAYOUT.totalWidth()];
    float[] wideScale = new float[LAYOUT.totalWidth()];
    java.util.Arrays.fill(wideScale, 1f);
    System.arraycopy(offset, 0, wideOffset, 0, 3);
    System.arraycopy(scale, 0, wideScale, 0, 3);
    Model dense = Model.of(spec, learner.parameters(), Preprocessing.scaling("standard", wideOffset, wideScale));
    float[] expected = new float[300 * 3];
    dense.predict(x.toDense(), 300, expected);
    float[] actual = new float[300 * 3];
    sparse.predict(x, actual);
    assertArrayEquals(expected, actual, 1e-5f);
    float[] viaOneHot = new float[300 * 3];
    sparse.predict(x.toDense(), 300, viaOneHot);
    assertArrayEquals(expected, viaOneHot, 1e-5f);
  }

  @Test
  void trainingOnSparseRowsWithPlainSgdEqualsTrainingOnTheDenseOneHotRows() {
    String net = "dense(6,relu) > dense(3,softmax)";
    OptimizerConfig sgd = OptimizerConfig.sgd(0.05, 0);
    Learner sparse = new Learner(config(net, LAYOUT, Loss.SOFTMAX_CROSS_ENTROPY, sgd, 8));
    Learner dense = new Learner(new TrainingConfig(NetworkSpec.parse(LAYOUT.totalWidth(), net),
        Loss.SOFTMAX_CROSS_ENTROPY, sgd, 8, 7));
    assertArrayEquals(dense.flatParameters(), sparse.flatParameters(), "same seed, same initial parameters");
    Random random = new Random(5);
    for (int step = 0; step < 30; step++) {
      SparseRows x = rows(LAYOUT, 8, random);
      int[] labels = new int[8];
      for (int r = 0; r < 8; r++) {
        labels[r] = random.nextInt(3);
      }
      float lossSparse = sparse.fit(x, labels, 0, null);
      float lossDense = dense.fit(x.toDense(), labels, 8);
      assertEquals(lossDense, lossSparse, 1e-5f, "loss at step " + step);
    }
    assertArrayEquals(dense.flatParameters(), sparse.flatParameters(), 1e-5f);
    assertEquals(dense.optimizerState().slots().size(), sparse.optimizerState().slots().size());
  }

  @Test
  void regressionOnSparseRowsWithFloatTargetsFromAnOffsetEqualsTheDensePath() {
    String net = "dense(5,tanh) > dense(2)";
    OptimizerConfig sgd = OptimizerConfig.sgd(0.02, 0);
    Learner sparse = new Learner(config(net, NO_DENSE, Loss.MSE, sgd, 4));
    Learner dense = new Learner(new TrainingConfig(NetworkSpec.parse(NO_DENSE.totalWidth(), net), Loss.MSE, sgd, 4, 7));
    Random random = new Random(8);
    float[] y = new float[2 * 2 + 6 * 2];
    for (int k = 0; k < y.length; k++) {
      y[k] = (float) random.nextGaussian();
    }
    for (int step = 0; step < 20; step++) {
      SparseRows x = rows(NO_DENSE, 6, random);
      float[] predSparse = new float[12];
      float[] predDense = new float[12];
      float lossSparse = sparse.fit(x, y, 2, predSparse);
      float lossDense = dense.fit(x.toDense(), 0, y, 2, 6, predDense);
      assertEquals(lossDense, lossSparse, 1e-5f, "loss at step " + step);
      assertArrayEquals(predDense, predSparse, 1e-5f, "pre-update predictions at step " + step);
    }
    assertArrayEquals(dense.flatParameters(), sparse.flatParameters(), 1e-5f);
    SparseRows test = rows(NO_DENSE, 6, random);
    float[] targets = java.util.Arrays.copyOfRange(y, 4, 16);
    assertEquals(dense.evaluate(test.toDense(), targets, 6), sparse.evaluate(test, targets), 1e-5);
    assertEquals(sparse.evaluate(test.toDense(), targets, 6), sparse.evaluate(test, targets), 1e-6);
  }

  @Test
  void lazyAdamLeavesUntouchedRowsAndTheirMomentsAsTheyWere() {
    OptimizerConfig adam = OptimizerConfig.adam(0.01).withL2(1e-3);
    for (String net : List.of("dense(4,relu) > dense(3,softmax)", "embedding(2) > dense(4,relu) > dense(3,softmax)")) {
      Learner learner = new Learner(config(net, LAYOUT, Loss.SOFTMAX_CROSS_ENTROPY, adam, 4));
      SparseLayout layout = new SparseLayout(learner.config().spec(), LAYOUT);
      float[] before = learner.flatParameters();
      // only origin slot 1 and destination slot 2 are ever touched
      for (int step = 0; step < 5; step++) {
        SparseRows x = new SparseRows(LAYOUT, 2);
        for (int r = 0; r < 2; r++) {
          x.addRow();
          x.setDense(0, 1f + r);
          x.addSparse(0, 1, 1f);
          x.addSparse(1, 2, 1f);
        }
        learner.fit(x, new int[] {0, 2}, 0, null);
      }
      float[] after = learner.flatParameters();
      OptimizerState state = learner.optimizerState();
      assertEquals(layout.total, state.slots().get(0).data().length);
      int w = layout.rowWidth;
      for (int slot = 0; slot < LAYOUT.sparseWidth(); slot++) {
        boolean touched = slot == 1 || slot == 4 + 2;
        for (int j = 0; j < w; j++) {
          int k = layout.tableOffset + slot * w + j;
          if (touched) {
            assertNotEquals(before[k], after[k], net + ": touched row " + slot + " moves");
          } else {
            assertEquals(before[k], after[k], net + ": untouched row " + slot + " stays");
            assertEquals(0f, state.slots().get(0).data()[k], net + ": m of an untouched row stays 0");
            assertEquals(0f, state.slots().get(1).data()[k], net + ": v of an untouched row stays 0");
          }
        }
      }
      assertEquals(5, learner.steps());
    }
  }

  @Test
  void theGatherFirstLayerComputesWhatAHandComputesIt() {
    FeatureLayout layout = new FeatureLayout(1, List.of(new FeatureLayout.SparseField("c", 3)));
    NetworkSpec spec = NetworkSpec.parse(4, "dense(1)");
    List<NamedTensor> params = List.of(
        new NamedTensor("layers.0.weight", new int[] {4, 1}, new float[] {0.5f, 1f, 2f, 3f}),
        new NamedTensor("layers.0.bias", new int[] {1}, new float[] {0.25f}));
    SparseRows x = new SparseRows(layout, 1);
    x.addRow();
    x.setDense(0, 2f);
    x.addSparse(0, 1, 1f);
    x.addSparse(0, 1, 1f);
    x.addSparse(0, 2, 0.5f);
    float[] out = new float[1];
    Model.of(spec, params, Preprocessing.identity(), layout).predict(x, out);
    // 0.25 + 2 * 0.5 + (1 + 1) * 2 + 0.5 * 3
    assertEquals(6.75f, out[0], 1e-6f);
  }

  @Test
  void anEmbeddingComputesWhatAHandComputesIt() {
    FeatureLayout layout = new FeatureLayout(1,
        List.of(new FeatureLayout.SparseField("a", 2), new FeatureLayout.SparseField("b", 2)));
    NetworkSpec spec = NetworkSpec.parse(5, "embedding(2) > dense(1)");
    // table rows: a0 (1,2), a1 (3,4), b0 (5,6), b1 (7,8); the dense layer reads [x, a-vector, b-vector]
    List<NamedTensor> params = List.of(
        new NamedTensor("layers.0.weight", new int[] {4, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8}),
        new NamedTensor("layers.1.weight", new int[] {5, 1}, new float[] {1f, 0.1f, 0.01f, 1f, -1f}),
        new NamedTensor("layers.1.bias", new int[] {1}, new float[] {0.5f}));
    SparseRows x = new SparseRows(layout, 1);
    x.addRow();
    x.setDense(0, 3f);
    x.addSparse(0, 1, 2f);
    x.addSparse(1, 0, 1f);
    x.addSparse(1, 1, 0.5f);
    float[] out = new float[1];
    Model.of(spec, params, Preprocessing.identity(), layout).predict(x, out);
    // a = 2 * (3,4) = (6,8); b = (5,6) + 0.5 * (7,8) = (8.5,10)
    // 0.5 + 3 * 1 + 6 * 0.1 + 8 * 0.01 + 8.5 * 1 - 10 * 1
    assertEquals(0.5f + 3f + 0.6f + 0.08f + 8.5f - 10f, out[0], 1e-5f);
  }

  @Test
  void aLearnersParametersMakeAModelThatPredictsAsTheLearnerDoes() {
    for (String net : List.of("dense(6,relu) > dense(2,softmax)", "embedding(3) > dense(6,relu) > dense(2,softmax)")) {
      for (FeatureLayout layout : List.of(LAYOUT, NO_DENSE)) {
        Learner learner = new Learner(config(net, layout, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 8));
        Random random = new Random(9);
        for (int step = 0; step < 10; step++) {
          SparseRows x = rows(layout, 8, random);
          int[] labels = new int[8];
          for (int r = 0; r < 8; r++) {
            labels[r] = random.nextInt(2);
          }
          learner.fit(x, labels, 0, null);
        }
        SparseRows test = rows(layout, 40, random);
        float[] fromLearner = new float[80];
        learner.predict(test, fromLearner);
        Model model = Model.of(learner.config().spec(), learner.parameters(), Preprocessing.identity(), layout);
        float[] fromModel = new float[80];
        model.predict(test, fromModel);
        assertArrayEquals(fromLearner, fromModel, 1e-6f, net);
        float[] fromSnapshot = new float[80];
        learner.snapshot().predict(test, fromSnapshot);
        assertArrayEquals(fromLearner, fromSnapshot, 1e-6f, net);
        Learner restored = new Learner(config(net, layout, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 8));
        restored.setParameters(model.parameters());
        restored.restoreOptimizerState(learner.optimizerState());
        assertArrayEquals(learner.flatParameters(), restored.flatParameters(), net);
      }
    }
  }

  @Test
  void anEmbeddingsTensorsAreTheTableThenTheDenseLayersUnderTheirSpecIndex() {
    Learner learner = new Learner(config("embedding(4) > dropout(0.1) > dense(5,relu) > dense(2,softmax)", LAYOUT,
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.sgd(0.1, 0.9), 4));
    List<String> names = new ArrayList<>();
    for (NamedTensor t : learner.parameters()) {
      names.add(t.name() + java.util.Arrays.toString(t.shape()));
    }
    assertEquals(List.of("layers.0.weight[10, 4]", "layers.2.weight[11, 5]", "layers.2.bias[5]",
        "layers.3.weight[5, 2]", "layers.3.bias[2]"), names);
    assertEquals(10 * 4 + 11 * 5 + 5 + 5 * 2 + 2, learner.config().spec().parameterCount(LAYOUT));
  }

  @Test
  void theEmbeddingLayerParsesWritesItsTextAndOnlyComesFirst() {
    NetworkSpec spec = NetworkSpec.parse(13, "embedding(16) > dense(64,relu) > dense(2,softmax)");
    assertEquals(new LayerSpec.Embedding(16), spec.layers().get(0));
    assertEquals(spec, NetworkSpec.parse(13, spec.text()));
    assertTrue(spec.hasEmbedding());
    IllegalArgumentException late = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.parse(13, "dense(4) > embedding(2) > dense(2)"));
    assertTrue(late.getMessage().contains("first layer"), late.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(13, "embedding(0) > dense(2)"));
    IllegalArgumentException dense = assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(spec,
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 4, 1));
    assertTrue(dense.getMessage().contains("sparse fields"), dense.getMessage());
    IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(
        NetworkSpec.parse(12, "dense(2,softmax)"), Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 4, 1, LAYOUT));
    assertTrue(width.getMessage().contains("13 wide"), width.getMessage());
  }

  @Test
  void aSlotOutsideTheSparseBlockIsRefusedNamingItsRow() {
    Learner learner = new Learner(config("dense(4,relu) > dense(2,softmax)", LAYOUT, Loss.SOFTMAX_CROSS_ENTROPY,
        OptimizerConfig.sgd(0.1, 0), 4));
    SparseRows x = rows(LAYOUT, 3, new Random(4));
    x.addRow();
    x.addSlot(LAYOUT.sparseWidth(), 1f);
    float[] before = learner.flatParameters();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> learner.fit(x, new int[] {0, 1, 0, 1}, 0, null));
    assertTrue(e.getMessage().contains("row 3 has sparse slot 10"), e.getMessage());
    assertArrayEquals(before, learner.flatParameters());
  }

  @Test
  void aDenseLearnerTakesSparseRowsOfItsDenseLayoutAsTheirDenseBlock() {
    FeatureLayout dense = FeatureLayout.dense(3);
    Learner learner = new Learner(new TrainingConfig(NetworkSpec.parse(3, "dense(2,softmax)"),
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.sgd(0.1, 0), 4, 1));
    SparseRows x = rows(dense, 4, new Random(2));
    float[] viaRows = new float[8];
    learner.predict(x, viaRows);
    float[] viaArray = new float[8];
    learner.predict(x.dense(), 4, viaArray);
    assertArrayEquals(viaArray, viaRows);
    assertEquals(learner.evaluate(x.dense(), new int[] {0, 1, 0, 1}, 4), learner.evaluate(x, new int[] {0, 1, 0, 1}));
  }
}
