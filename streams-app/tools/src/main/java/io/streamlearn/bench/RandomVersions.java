package io.streamlearn.bench;

import io.streamlearn.app.Artifacts;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Classification model versions with the engine's seeded random initial weights. */
public final class RandomVersions {
  private RandomVersions() {}

  /**
   * Version {@code version} (parent {@code version - 1}) of {@code model}: the network {@code
   * layers} on {@code features} inputs, softmax cross-entropy, weights initialised from {@code seed}.
   */
  public static ModelVersion create(String model, long version, int features, String layers, long seed) {
    NetworkSpec spec = NetworkSpec.parse(features, layers);
    Loss loss = Loss.SOFTMAX_CROSS_ENTROPY;
    Learner learner = new Learner(new TrainingConfig(spec, loss, OptimizerConfig.sgd(0.01, 0), 1, seed));
    return ModelVersion.create(model, version, version - 1, Instant.now(), spec.text(),
        Artifacts.signature(spec, loss), Preprocessing.identity(), learner.parameters(),
        new Lineage(List.of(), 0, 0, Map.of(), seed, "random"), Map.of());
  }
}
