package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NativeSetupTest {

  @Test
  void trainingAndPredictingSetNoSystemPropertyBehindTheCallersBack() {
    Map<Object, Object> before = new HashMap<>(System.getProperties());
    Learner learner = new Learner(new TrainingConfig(NetworkSpec.parse(3, "dense(4,relu) > dense(2,softmax)"),
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 2, 1));
    learner.fit(new float[] {1, 2, 3, 3, 2, 1}, new int[] {0, 1}, 2);
    float[] p = learner.snapshot().predict(new float[] {1, 2, 3});
    assertEquals(1f, p[0] + p[1], 1e-6f);
    assertEquals(before, new HashMap<>(System.getProperties()));
  }

  @Test
  void theEngineNamesTheBlasItLoaded() {
    NativeBlas.load();
    String blas = NativeBlas.describe();
    assertTrue(blas.contains("OpenBLAS") || blas.contains("org.bytedeco.openblas.load"), blas);
  }

  @Test
  void aThreadLimitBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> NativeSetup.limitThreads(0));
  }
}
