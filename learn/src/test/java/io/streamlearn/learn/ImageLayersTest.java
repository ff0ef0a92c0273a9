package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.tensor.NamedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed cases for the image and normalisation layers (forward through {@link Model}, whose
 * tensors are given in their exported layouts, and backward through the network), and the round trip
 * of a trained CNN with batch norm through its named tensors.
 */
class ImageLayersTest {

  private static final float[] NINE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

  private static NamedTensor tensor(String name, int[] shape, float... data) {
    return new NamedTensor(name, shape, data);
  }

  private static float[] identity(int n) {
    float[] w = new float[n * n];
    for (int k = 0; k < n; k++) {
      w[k * n + k] = 1f;
    }
    return w;
  }

  @Test
  void aTwoByTwoKernelOverAThreeByThreeImageGivesTheHandComputedSums() {
    // out(y,x) = 1*in(y,x) + 2*in(y,x+1) + 3*in(y+1,x) + 4*in(y+1,x+1) + bias 1
    NetworkSpec spec = NetworkSpec.parse(9, "input(3,3,1) > conv2d(1,2) > dense(4)");
    Model model = Model.of(spec, List.of(
        tensor("layers.1.weight", new int[] {1, 1, 2, 2}, 1, 2, 3, 4),
        tensor("layers.1.bias", new int[] {1}, 1),
        tensor("layers.2.weight", new int[] {4, 4}, identity(4)),
        tensor("layers.2.bias", new int[] {4}, 0, 0, 0, 0)));
    assertArrayEquals(new float[] {38, 48, 68, 78}, model.predict(NINE), 1e-5f);
  }

  @Test
  void theConvolutionsBackwardPassGivesTheHandComputedGradients() {
    // logit = sum of the four conv outputs, so dL/dout = 1 everywhere
    Layout layout = new Layout(NetworkSpec.parse(9, "input(3,3,1) > conv2d(1,2) > dense(1)"));
    float[] params = layout.fromTensors(List.of(
        tensor("layers.1.weight", new int[] {1, 1, 2, 2}, 1, 2, 3, 4),
        tensor("layers.1.bias", new int[] {1}, 0),
        tensor("layers.2.weight", new int[] {4, 1}, 1, 1, 1, 1),
        tensor("layers.2.bias", new int[] {1}, 0)));
    Network network = new Network(layout, params, null, true, 1, 0, true);
    float[] logit = new float[1];
    network.forward(NINE, 0, 1, logit, 0);
    assertEquals(37 + 47 + 67 + 77, logit[0], 1e-4f);
    network.backward(new float[] {1f}, 1);
    network.collectWeightGrads();
    List<NamedTensor> grads = layout.toTensors(network.grads());
    // each kernel weight's gradient is the sum of the image cells it met: windows at (0,0) (0,1) (1,0) (1,1)
    assertArrayEquals(new float[] {12, 16, 24, 28}, grads.get(0).data(), 1e-5f);
    assertArrayEquals(new float[] {4}, grads.get(1).data(), 1e-5f);
    // each image cell's gradient is the sum of the kernel weights that met it
    assertArrayEquals(new float[] {1, 3, 2, 4, 10, 6, 3, 7, 4}, network.inputGrad(), 1e-5f);
  }

  @Test
  void flattenWritesChannelsFirstAsTorchFlattenDoes() {
    // a 1x2 image of 2 channels: pixel 0 = (1, 2), pixel 1 = (3, 4) -> channel 0 = (1, 3), channel 1 = (2, 4)
    for (String text : List.of("input(1,2,2) > flatten > dense(4)", "input(1,2,2) > dense(4)")) {
      Model model = Model.of(NetworkSpec.parse(4, text), List.of(
          tensor("layers." + (text.contains("flatten") ? 2 : 1) + ".weight", new int[] {4, 4}, identity(4)),
          tensor("layers." + (text.contains("flatten") ? 2 : 1) + ".bias", new int[] {4}, 0, 0, 0, 0)));
      assertArrayEquals(new float[] {1, 3, 2, 4}, model.predict(new float[] {1, 2, 3, 4}), 0f, text);
    }
  }

  @Test
  void poolingTakesTheMaximumOrTheMeanOfEachWindowPerChannel() {
    // a 2x2 image of 2 channels; channel 0 = 3, -1, 7, 2 and channel 1 = 0, 5, -2, 1
    float[] image = {3, 0, -1, 5, 7, -2, 2, 1};
    for (String pool : List.of("maxpool", "avgpool")) {
      Model model = Model.of(NetworkSpec.parse(8, "input(2,2,2) > " + pool + "(2) > dense(2)"), List.of(
          tensor("layers.2.weight", new int[] {2, 2}, identity(2)),
          tensor("layers.2.bias", new int[] {2}, 0, 0)));
      float[] expected = pool.equals("maxpool") ? new float[] {7, 5} : new float[] {11 / 4f, 4 / 4f};
      assertArrayEquals(expected, model.predict(image), 1e-6f, pool);
    }
  }

  @Test
  void batchNormTrainsOnBatchStatisticsAndMovesItsRunningStatisticsAsPyTorchDoes() {
    // one feature, batch (1, 3): mean 2, biased variance 1, unbiased 2
    NetworkSpec spec = NetworkSpec.parse(1, "batchnorm > dense(1)");
    // L2 and Adam to show that neither touches the running statistics
    Learner learner = new Learner(new TrainingConfig(spec, Loss.MSE, OptimizerConfig.adam(0.01).withL2(0.5), 2, 1));
    List<NamedTensor> start = new ArrayList<>(learner.parameters());
    start.set(start.size() - 2, tensor("layers.1.weight", new int[] {1, 1}, 1));
    learner.setParameters(start);
    float[] predictions = new float[2];
    learner.fit(new float[] {1, 3}, new float[] {0, 0}, 2, predictions);
    float invStd = (float) (1 / Math.sqrt(1 + 1e-5));
    assertArrayEquals(new float[] {-invStd, invStd}, predictions, 1e-6f);
    List<NamedTensor> after = learner.parameters();
    assertEquals("layers.0.runningMean", after.get(2).name());
    assertArrayEquals(new float[] {0.9f * 0f + 0.1f * 2f}, after.get(2).data(), 1e-7f);
    assertArrayEquals(new float[] {0.9f * 1f + 0.1f * 2f}, after.get(3).data(), 1e-7f);
    // inference normalises by the running statistics
    Model model = learner.snapshot();
    List<NamedTensor> p = model.parameters();
    float gamma = p.get(0).data()[0];
    float beta = p.get(1).data()[0];
    float w = p.get(4).data()[0];
    float b = p.get(5).data()[0];
    float expected = ((5f - 0.2f) / (float) Math.sqrt(1.1 + 1e-5) * gamma + beta) * w + b;
    assertEquals(expected, model.predict(new float[] {5f})[0], 1e-5f);
  }

  @Test
  void aBatchWithANonFiniteLossLeavesTheRunningStatisticsAlone() {
    NetworkSpec spec = NetworkSpec.parse(1, "batchnorm > dense(1)");
    Learner learner = new Learner(new TrainingConfig(spec, Loss.MSE, OptimizerConfig.sgd(0.1, 0), 2, 1));
    learner.fit(new float[] {1, Float.NaN}, new float[] {0, 0}, 2);
    List<NamedTensor> after = learner.parameters();
    assertArrayEquals(new float[] {0f}, after.get(2).data());
    assertArrayEquals(new float[] {1f}, after.get(3).data());
  }

  @Test
  void aTrainedCnnWithBatchNormSurvivesItsNamedTensors() {
    NetworkSpec spec = NetworkSpec.parse(64, "input(8,8,1) > conv2d(4,3,relu) > batchnorm > maxpool(2)"
        + " > conv2d(6,2,padding=same,tanh) > avgpool(3) > dense(8,relu) > batchnorm > dropout(0.2) > dense(3,softmax)");
    Learner learner = new Learner(new TrainingConfig(spec, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 16, 5));
    Random random = new Random(3);
    float[] x = new float[16 * 64];
    int[] labels = new int[16];
    for (int step = 0; step < 20; step++) {
      for (int k = 0; k < x.length; k++) {
        x[k] = (float) random.nextGaussian();
      }
      for (int r = 0; r < 16; r++) {
        labels[r] = random.nextInt(3);
      }
      learner.fit(x, labels, 16);
    }
    List<NamedTensor> tensors = learner.parameters();
    List<String> names = tensors.stream().map(NamedTensor::name).toList();
    assertEquals(List.of("layers.1.weight", "layers.1.bias", "layers.2.gamma", "layers.2.beta", "layers.2.runningMean",
        "layers.2.runningVar", "layers.4.weight", "layers.4.bias", "layers.6.weight", "layers.6.bias", "layers.7.gamma",
        "layers.7.beta", "layers.7.runningMean", "layers.7.runningVar", "layers.9.weight", "layers.9.bias"), names);
    assertArrayEquals(new int[] {4, 1, 3, 3}, tensors.get(0).shape());
    assertArrayEquals(new int[] {6, 4, 2, 2}, tensors.get(6).shape());
    assertTrue(tensors.get(4).data()[0] != 0f, "the running mean moved");
    Model model = Model.of(spec, tensors);
    float[] ours = new float[16 * 3];
    float[] theirs = new float[16 * 3];
    learner.predict(x, 16, ours);
    model.predict(x, 16, theirs);
    assertArrayEquals(ours, theirs, 0f);
    // and back into a fresh learner, which then predicts the same
    Learner other = new Learner(new TrainingConfig(spec, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 16, 9));
    other.setParameters(tensors);
    float[] again = new float[16 * 3];
    other.predict(x, 16, again);
    assertArrayEquals(ours, again, 0f);
  }

  @Test
  void aNegativeRunningVarianceIsRefusedByName() {
    NetworkSpec spec = NetworkSpec.parse(2, "batchnorm > dense(1)");
    List<NamedTensor> tensors = new ArrayList<>(new Learner(new TrainingConfig(spec, Loss.MSE, OptimizerConfig.sgd(0.1, 0),
        2, 1)).parameters());
    tensors.set(3, tensor("layers.0.runningVar", new int[] {2}, 1f, -0.5f));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.of(spec, tensors));
    assertTrue(e.getMessage().contains("layers.0.runningVar"), e.getMessage());
  }

  @Test
  void theSparseHooksAddToTheFirstLayerAndReturnItsGradients() {
    Layout layout = new Layout(NetworkSpec.parse(2, "dense(2,linear) > dense(1)"));
    float[] params = layout.fromTensors(List.of(
        tensor("layers.0.weight", new int[] {2, 2}, identity(2)),
        tensor("layers.0.bias", new int[] {2}, 0, 0),
        tensor("layers.1.weight", new int[] {2, 1}, 2, 3),
        tensor("layers.1.bias", new int[] {1}, 0)));
    Network network = new Network(layout, params, null, true, 1, 0, true);
    float[] logit = new float[1];
    network.forward(new float[] {1, 1}, 0, 1, logit, 0, new float[] {10, 20});
    assertEquals(2 * 11 + 3 * 21, logit[0], 1e-5f);
    network.backward(new float[] {1f}, 1);
    assertArrayEquals(new float[] {2, 3}, java.util.Arrays.copyOf(network.firstLayerPreActivationGrad(), 2));
    assertArrayEquals(new float[] {2, 3}, java.util.Arrays.copyOf(network.inputGrad(), 2));
    network.forward(new float[] {1, 1}, 0, 1, logit, 0);
    assertEquals(2 + 3, logit[0], 1e-5f);
  }

  @Test
  void aLargeImageModelPredictsInSmallerChunksWithTheSameResults() {
    NetworkSpec spec = NetworkSpec.parse(784, "input(28,28,1) > conv2d(32,3,relu) > maxpool(2) > dense(3,softmax)");
    Learner learner = new Learner(new TrainingConfig(spec, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 8, 5));
    Model model = learner.snapshot();
    Random random = new Random(8);
    int rows = 100;
    float[] x = new float[rows * 784];
    for (int k = 0; k < x.length; k++) {
      x[k] = random.nextFloat();
    }
    float[] all = new float[rows * 3];
    model.predict(x, rows, all);
    for (int r = 0; r < rows; r += 17) {
      float[] one = model.predict(java.util.Arrays.copyOfRange(x, r * 784, (r + 1) * 784));
      assertArrayEquals(java.util.Arrays.copyOfRange(all, r * 3, r * 3 + 3), one, 1e-6f, "row " + r);
    }
  }

  @Test
  void maxPoolingSendsTheGradientToTheFirstMaximumOfATieAsPyTorchDoes() {
    Layout layout = new Layout(NetworkSpec.parse(8, "input(2,2,2) > maxpool(2) > dense(2)"));
    float[] params = layout.fromTensors(List.of(
        tensor("layers.2.weight", new int[] {2, 2}, identity(2)),
        tensor("layers.2.bias", new int[] {2}, 0, 0)));
    Network network = new Network(layout, params, null, true, 1, 0, true);
    float[] logits = new float[2];
    // channel 0 ties at 1 everywhere; channel 1's maximum 4 is in the second row
    network.forward(new float[] {1, 0, 1, -2, 1, 4, 1, 4}, 0, 1, logits, 0);
    assertArrayEquals(new float[] {1, 4}, logits, 0f);
    network.backward(new float[] {5f, 7f}, 1);
    assertArrayEquals(new float[] {5, 0, 0, 0, 0, 7, 0, 0}, network.inputGrad(), 0f);
  }
}
