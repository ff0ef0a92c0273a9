package io.streamlearn.app;

import io.streamlearn.registry.ModelVersion;
import java.util.Map;

/** Model versions with seeded random weights that the engine accepts, for tests. */
public final class TestModels {
  private TestModels() {}

  /** See {@link RandomModels#random}. */
  public static ModelVersion random(String name, long version, int features, String layers, long seed,
                                    Map<String, Double> metrics) {
    return RandomModels.random(name, version, features, layers, seed, metrics);
  }
}
