package io.streamlearn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.data.Dataset;
import io.streamlearn.learn.Model;
import io.streamlearn.onnx.OnnxExporter;
import io.streamlearn.registry.ModelVersion;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bench's ONNX Runtime side computes what the engine computes: a tiny briefly trained model,
 * exported as the bench exports it, gives the engine's outputs through {@link OrtRunner} at several
 * batch sizes on the same runner (so the buffers bound per batch size are the right ones), and the
 * bench's own comparison accepts it and would refuse a different model.
 */
class OrtRunnerTest {
  private static final double TOLERANCE = 1e-6;

  private static Dataset data(int rows, int cols, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = random.nextInt(3);
    }
    return new Dataset(x, labels, rows, cols);
  }

  private static void assertRunnerGivesTheEnginesOutputs(String layers, int features) throws Exception {
    Dataset d = data(128, features, 5);
    ModelVersion version = OnnxBench.trainedVersion(layers, d, 3, 11);
    Model model = OnnxBench.engineModel(version);
    int outs = model.outputs();
    try (OrtRunner ort = new OrtRunner(OnnxExporter.export(version, false).onnx(), features, outs)) {
      for (int batch : List.of(1, 7, 1, 64)) {
        float[] x = java.util.Arrays.copyOfRange(d.features(), batch * features, 2 * batch * features);
        float[] engine = new float[batch * outs];
        float[] peer = new float[batch * outs];
        model.predict(x, batch, engine);
        ort.run(x, batch, peer);
        double diff = OnnxBench.maxAbsDiff(engine, peer);
        assertTrue(diff <= TOLERANCE, layers + " batch " + batch + ": max |engine - ORT| " + diff);
        if (batch > 1) {
          // rows differ, so agreement is not two sides returning one constant
          assertTrue(engine[0] != engine[outs], "rows 0 and 1 give different outputs");
        }
      }
    }
  }

  @Test
  void aTinyMlpGivesTheEnginesProbabilitiesInOnnxRuntimeAtEveryBatchSize() throws Exception {
    assertRunnerGivesTheEnginesOutputs("dense(8,relu) > dense(3,softmax)", 12);
  }

  @Test
  void aTinyCnnGivesTheEnginesProbabilitiesInOnnxRuntimeAtEveryBatchSize() throws Exception {
    assertRunnerGivesTheEnginesOutputs("input(6,6,2) > conv2d(4,3,relu) > maxpool(2) > dense(5,relu) > dense(3,softmax)",
        72);
  }

  @Test
  void theBenchRefusesToTimeAnOnnxModelWhoseOutputsAreNotTheEngines() throws Exception {
    Dataset d = data(64, 12, 6);
    ModelVersion version = OnnxBench.trainedVersion("dense(8,relu) > dense(3,softmax)", d, 2, 11);
    OnnxBench.Timing quick = new OnnxBench.Timing(1, 0.01, 0);
    OnnxTable.Row row = OnnxBench.measure("tiny", version, d.features(), 64, 4, quick);
    assertTrue(row.maxAbsDiff() <= TOLERANCE, "max |diff| " + row.maxAbsDiff());
    assertEquals(4, row.batch());
    // the same architecture from another seed: ONNX Runtime would run a different computation
    ModelVersion other = OnnxBench.trainedVersion("dense(8,relu) > dense(3,softmax)", d, 2, 12);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> OnnxBench.measure("tiny",
        OnnxBench.engineModel(version), OnnxExporter.export(other, false).onnx(), d.features(), 64, 4, quick));
    assertTrue(e.getMessage().contains("differ"), e.getMessage());
  }

  @Test
  void theRunnerRefusesInputsShorterThanTheBatch() throws Exception {
    ModelVersion version = OnnxBench.trainedVersion("dense(3,softmax)", data(8, 4, 1), 1, 1);
    try (OrtRunner ort = new OrtRunner(OnnxExporter.export(version, false).onnx(), 4, 3)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ort.run(new float[7], 2, new float[6]));
      assertTrue(e.getMessage().contains("x=7"), e.getMessage());
    }
  }
}
