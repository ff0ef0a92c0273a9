package io.streamlearn.app;

import io.streamlearn.testkit.RandomModels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.Model;
import io.streamlearn.registry.InferenceExport;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.Signature;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The inference export through the engine: the optimized copy (scaler folded into the first dense
 * layer, optionally float16) predicts what the original predicts, within 1e-5 (1e-2 for float16).
 */
class InferenceExportEngineTest {
  private static final int FEATURES = 12;

  @ParameterizedTest(name = "{0}, float16={3}")
  @CsvSource({
      "'dense(32,relu) > dense(4,softmax)', 4, CLASSIFICATION, false, 1e-5",
      "'dense(32,relu) > dense(4,softmax)', 4, CLASSIFICATION, true, 1e-2",
      "'dropout(0.2) > dense(16,tanh) > dense(8,relu) > dense(2,linear)', 2, REGRESSION, false, 1e-5",
      "'dropout(0.2) > dense(16,tanh) > dense(8,relu) > dense(2,linear)', 2, REGRESSION, true, 1e-2",
  })
  void exportPredictsWhatTheOriginalPredicts(String layers, int outputs, Signature.Task task, boolean float16,
                                             double tolerance) {
    ModelVersion original = RandomModels.random("export", 1, FEATURES, layers, 5, Map.of());
    assertEquals(task, original.signature().task());
    ModelVersion export = InferenceExport.of(original, float16);
    // through the artifact format, as serving would read it
    RegistryCodec codec = new RegistryCodec();
    ModelVersion read = codec.decodeVersion(export.key(), k -> codec.encode(export));
    assertTrue(read.preprocessing().isIdentity(), "the export has no scaler left");
    Model a = Artifacts.toModel(original);
    Model b = Artifacts.toModel(read);
    Random random = new Random(9);
    int rows = 500;
    float[] x = new float[rows * FEATURES];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextGaussian() * 6 + 2);
    }
    float[] ya = new float[rows * outputs];
    float[] yb = new float[rows * outputs];
    a.predict(x, rows, ya);
    b.predict(x, rows, yb);
    double worst = 0;
    int worstAt = -1;
    for (int i = 0; i < ya.length; i++) {
      double d = Math.abs(ya[i] - yb[i]);
      if (d > worst) {
        worst = d;
        worstAt = i;
      }
    }
    assertTrue(worst <= tolerance, "largest output difference " + worst + " at " + worstAt + " ("
        + (worstAt < 0 ? "" : ya[worstAt] + " vs " + yb[worstAt]) + ") exceeds " + tolerance);
    assertTrue(worst > 0 || !float16, "float16 changes the outputs at all: " + worst);
    assertEquals(float16 ? "foldScaler,float16" : "foldScaler", read.annotations().get(InferenceExport.OPTIMIZATIONS));
  }
}
