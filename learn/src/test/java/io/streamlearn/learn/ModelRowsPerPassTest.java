package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What {@link Model#rowsPerPass()} tells a caller (the ONNX Runtime bench splits its products by it). */
class ModelRowsPerPassTest {

  private static Model model(int inputs, String layers) {
    Learner learner = new Learner(new TrainingConfig(NetworkSpec.parse(inputs, layers), Loss.SOFTMAX_CROSS_ENTROPY,
        OptimizerConfig.sgd(0.01, 0), 8, 3));
    return learner.snapshot(io.streamlearn.tensor.Preprocessing.identity());
  }

  @Test
  void aDenseModelComputesFullChunksAndAnImageModelPassesThatFitItsPatchBuffers() {
    assertEquals(Model.CHUNK, model(20, "dense(8,relu) > dense(3,softmax)").rowsPerPass());
    Model cnn = model(784, "input(28,28,1) > conv2d(32,3,relu) > maxpool(2) > conv2d(64,3,relu) > maxpool(2)"
        + " > dense(128,relu) > dense(10,softmax)");
    // the second conv's patches are 11*11 positions x 3*3*32 values per example
    assertEquals(Model.IMAGE_BUFFER_FLOATS / (11 * 11 * 288), cnn.rowsPerPass());
    assertTrue(cnn.rowsPerPass() < 64, "a batch of 64 runs in several passes: " + cnn.rowsPerPass());
  }
}
