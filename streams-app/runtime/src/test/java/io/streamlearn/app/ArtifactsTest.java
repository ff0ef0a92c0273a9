package io.streamlearn.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.learn.scale.StandardScaler;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArtifactsTest {
  private static final NetworkSpec SPEC = NetworkSpec.parse(4, "dense(5,relu) > dense(3,softmax)");

  private static ModelVersion version(Learner learner, Preprocessing preprocessing) {
    return ModelVersion.create("artifacts", 1, 0, Instant.EPOCH, SPEC.text(),
        Artifacts.signature(SPEC, Loss.SOFTMAX_CROSS_ENTROPY), preprocessing, learner.parameters(),
        new Lineage(List.of(), 0, 0, Map.of(), 7, "test"), Map.of());
  }

  private static Learner learner() {
    return new Learner(new TrainingConfig(SPEC, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.sgd(0.1, 0), 8, 7));
  }

  @Test
  void aVersionOfALearnersParametersAndFrozenScalerServesWhatTheLearnerWouldPredict() {
    Learner learner = learner();
    StandardScaler scaler = new StandardScaler(4);
    float[] rows = {1, 10, -3, 0.5f, 2, 30, -1, 0.25f, 4, 20, -2, 1};
    scaler.update(rows, 3);
    Preprocessing frozen = scaler.freeze();

    Model served = Artifacts.toModel(version(learner, frozen));

    float[] raw = {3, 25, -2, 0.75f};
    assertArrayEquals(learner.snapshot(frozen).predict(raw), served.predict(raw), 0f);
    assertEquals(frozen, served.preprocessing());
  }

  @Test
  void preprocessingThatDoesNotFitTheSignatureMakesTheVersionInvalid() {
    Preprocessing threeFeatures = new Preprocessing("standard", new float[3], new float[] {1, 2, 1});
    InvalidModelException e = assertThrows(InvalidModelException.class,
        () -> Artifacts.toModel(version(learner(), threeFeatures)));
    assertTrue(e.getMessage().contains("3 features") && e.getMessage().contains("4 inputs"), e.getMessage());
  }

  @Test
  void nonFinitePreprocessingMakesTheVersionInvalid() {
    Preprocessing nan = new Preprocessing("standard", new float[4], new float[] {1, Float.NaN, 1, 1});
    InvalidModelException e = assertThrows(InvalidModelException.class,
        () -> Artifacts.toModel(version(learner(), nan)));
    assertTrue(e.getMessage().contains("scale[1]"), e.getMessage());
  }
}
