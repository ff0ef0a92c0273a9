package io.streamlearn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.tensor.NamedTensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The folding algebra on the first dense layer, against a plain Java forward pass (the engine
 * check, through ND4J, is streams-app's InferenceExportEngineTest).
 */
class InferenceExportTest {
  private static float[] firstLayer(ModelVersion v, float[] x) {
    int in = v.signature().featureCount();
    float[] w = v.tensor("layers.0.weight").data();
    float[] b = v.tensor("layers.0.bias").data();
    int out = b.length;
    float[] xs = x.clone();
    if (!v.preprocessing().isIdentity()) {
      for (int i = 0; i < in; i++) {
        xs[i] = (x[i] - v.preprocessing().offset()[i]) * v.preprocessing().scale()[i];
      }
    }
    float[] y = new float[out];
    for (int c = 0; c < out; c++) {
      double sum = b[c];
      for (int r = 0; r < in; r++) {
        sum += (double) xs[r] * w[r * out + c];
      }
      y[c] = (float) sum;
    }
    return y;
  }

  @Test
  void foldedScalerGivesTheSameFirstLayerOutput() {
    ModelVersion v = Samples.dense("m", 1, 7, 5, 0.3f);
    ModelVersion export = InferenceExport.of(v, false);
    assertTrue(export.preprocessing().isIdentity(), "preprocessing folded away");
    assertEquals("m:1", export.annotations().get(InferenceExport.EXPORTED_FROM));
    assertEquals("foldScaler", export.annotations().get(InferenceExport.OPTIMIZATIONS));
    export.verifyChecksum();
    Random random = new Random(11);
    for (int n = 0; n < 100; n++) {
      float[] x = new float[7];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian() * 3;
      }
      float[] expected = firstLayer(v, x);
      float[] actual = firstLayer(export, x);
      for (int c = 0; c < expected.length; c++) {
        assertEquals(expected[c], actual[c], 1e-4, "output " + c + " of row " + n);
      }
    }
  }

  @Test
  void float16ExportStoresHalfPrecision() {
    ModelVersion v = Samples.dense("m", 1, 7, 5, 0.3f);
    ModelVersion export = InferenceExport.of(v, true);
    assertEquals("foldScaler,float16", export.annotations().get(InferenceExport.OPTIMIZATIONS));
    assertTrue(export.tensors().stream().allMatch(t -> t.dtype() == NamedTensor.DType.FLOAT16));
    assertEquals(v.tensorBytes() / 2, export.tensorBytes());
  }

  @Test
  void foldingNeedsADenseFirstLayerOrDropoutsBeforeIt() {
    ModelVersion v = Samples.dense("m", 1, 3, 2, 0);
    ModelVersion viaDropout = new ModelVersion(v.name(), 1, 0, v.createdAt(), "dropout(0.2) > dense(2,softmax)",
        v.signature(), v.preprocessing(),
        List.of(new NamedTensor("layers.1.weight", new int[] {3, 2}, v.tensor("layers.0.weight").data()),
            new NamedTensor("layers.1.bias", new int[] {2}, v.tensor("layers.0.bias").data())),
        "x", v.lineage(), v.metrics());
    ModelVersion folded = InferenceExport.of(viaDropout, false);
    assertTrue(folded.preprocessing().isIdentity());
    ModelVersion weird = new ModelVersion(v.name(), 1, 0, v.createdAt(), "conv(3) > dense(2,softmax)",
        v.signature(), v.preprocessing(), v.tensors(), v.checksum(), v.lineage(), v.metrics());
    assertThrows(IllegalArgumentException.class, () -> InferenceExport.of(weird, false));
  }

  @Test
  void valuesBeyondTheFloat16RangeAreRefused() {
    ModelVersion v = Samples.dense("m", 1, 3, 2, 70_000f);
    var e = assertThrows(IllegalArgumentException.class, () -> InferenceExport.of(v, true));
    assertTrue(e.getMessage().contains("float16 range"), e.getMessage());
  }
}
