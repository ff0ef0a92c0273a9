package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.NamedTensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A trainer resumed from a checkpoint continues bit for bit as if it had never stopped. */
class TrainingStateTest {
  private static final int FEATURES = 5;
  private static final TopicPartition TP = new TopicPartition("in", 0);

  static TrainerConfig config(String scaler, String optimizer) {
    return new TrainerConfig(Map.of(TrainerConfig.LAYERS, "dense(8,relu) > dropout(0.2) > dense(3,softmax)",
        TrainerConfig.SCALER, scaler, TrainerConfig.OPTIMIZER, optimizer, TrainerConfig.BATCH_SIZE, "16",
        TrainerConfig.LEARNING_RATE, "0.01"));
  }

  static TrainingState state(TrainerConfig config) {
    TrainerSettings settings = TrainerSettings.from(config);
    return new TrainingState(settings.network(), settings.rules(), FEATURES);
  }

  @Test
  void resumingFromAnEncodedCheckpointMatchesAnUninterruptedRun() {
    for (String scaler : List.of("none", "standard", "minmax")) {
      for (String optimizer : List.of("adam", "sgd", "rmsprop")) {
        TrainerConfig config = config(scaler, optimizer);
        SplittableRandom data = new SplittableRandom(7);
        TrainingState original = state(config);
        for (int i = 0; i < 5; i++) {
          train(original, data.split());
        }
        Checkpoint checkpoint = CheckpointCodec.decode(CheckpointCodec.encode(original.checkpoint("m",
            List.of(new Checkpoint.PartitionProgress("in", 0, 3, 80)), null)));
        long seed = data.nextLong();
        TrainingState resumed = state(config);
        resumed.restore(checkpoint);
        train(original, new SplittableRandom(seed));
        train(resumed, new SplittableRandom(seed));
        assertEquals(original.examplesSeen, resumed.examplesSeen, scaler + "/" + optimizer + ": examples seen");
        List<NamedTensor> a = original.learner.parameters();
        List<NamedTensor> b = resumed.learner.parameters();
        for (int t = 0; t < a.size(); t++) {
          assertArrayEquals(a.get(t).data(), b.get(t).data(), scaler + "/" + optimizer + ": tensor "
              + a.get(t).name() + " after one more batch");
        }
        assertEquals(original.preprocessing(), resumed.preprocessing(), scaler + ": frozen preprocessing");
      }
    }
  }

  @Test
  void withoutTheOptimizerStateTheNextStepDiffers() {
    // Guards the test above: restoring only the weights is not enough to match with Adam.
    TrainerConfig config = config("none", "adam");
    SplittableRandom data = new SplittableRandom(3);
    TrainingState original = state(config);
    for (int i = 0; i < 5; i++) {
      train(original, data.split());
    }
    TrainingState weightsOnly = state(config);
    weightsOnly.learner.setParameters(original.learner.parameters());
    long seed = data.nextLong();
    train(original, new SplittableRandom(seed));
    train(weightsOnly, new SplittableRandom(seed));
    assertNotEquals(original.learner.parameters().get(0), weightsOnly.learner.parameters().get(0),
        "Adam's moments change the step");
  }

  @Test
  void theScalerIsFrozenIntoThePreprocessing() {
    TrainingState state = state(config("standard", "adam"));
    train(state, new SplittableRandom(1));
    assertEquals("standard", state.preprocessing().kind());
    assertEquals(FEATURES, state.preprocessing().offset().length);
    assertEquals(Signature.Task.CLASSIFICATION, state.signature.task());
  }

  private static void train(TrainingState state, SplittableRandom random) {
    Batch batch = new Batch(16, FEATURES, 3);
    float[] x = new float[FEATURES];
    for (int r = 0; r < 16; r++) {
      for (int j = 0; j < FEATURES; j++) {
        x[j] = (float) (random.nextGaussian() * 3 + j);
      }
      batch.add(x, random.nextInt(3), TP, r);
    }
    state.train(batch, new Prequential(Signature.Task.CLASSIFICATION, 10, 0.99), new DriftMonitor("none", 0.002, 50));
  }
}
