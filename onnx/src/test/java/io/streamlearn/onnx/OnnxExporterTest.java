package io.streamlearn.onnx;

import static io.streamlearn.onnx.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.tensor.Preprocessing;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every export runs in ONNX Runtime and gives the engine's outputs on the same inputs: float32
 * within 1e-5 relative, float16 weights within 1e-2, for dense and convolutional networks with
 * batch norm and a scaler; a hand-computed convolution pins the layout down independently.
 */
class OnnxExporterTest {
  private static final double FP32 = 1e-5;
  private static final double FP16 = 1e-2;
  private static final int ROWS = 64;

  private static float[] engine(ModelVersion v, float[] x, int rows) {
    Model model = Model.of(NetworkSpec.parse(v.signature().featureCount(), v.architecture()), v.tensors(),
        v.preprocessing());
    float[] out = new float[rows * model.outputs()];
    model.predict(x, rows, out);
    return out;
  }

  private static void assertOrtMatchesEngine(ModelVersion v, boolean float16, double tolerance) throws Exception {
    int f = v.signature().featureCount();
    float[] x = Fixtures.inputs(ROWS, f, 7);
    byte[] onnx = OnnxExporter.export(v, float16).onnx();
    float[] expected = engine(v, x, ROWS);
    assertClose(expected, Ort.run(onnx, x, ROWS, f), tolerance, 1e-3, v.architecture() + (float16 ? " fp16" : ""));
  }

  @Test
  void aSoftmaxMlpWithDropoutRunsInOnnxRuntimeAndGivesTheEnginesProbabilities() throws Exception {
    ModelVersion v = Fixtures.version("dense(16,relu) > dropout(0.2) > dense(8,tanh) > dense(3,softmax)", 10,
        Preprocessing.identity(), 1);
    assertOrtMatchesEngine(v, false, FP32);
  }

  @Test
  void everyActivationExportsToItsOperator() throws Exception {
    ModelVersion v = Fixtures.version("dense(12,leaky_relu) > dense(9,sigmoid) > dense(7,relu) > dense(2)", 6,
        Preprocessing.identity(), 2);
    assertOrtMatchesEngine(v, false, FP32);
  }

  @Test
  void theScalerIsFoldedIntoTheFirstDenseLayerAndTheRawFeaturesGiveTheEnginesOutputs() throws Exception {
    ModelVersion v = Fixtures.version("dropout(0.1) > dense(16,relu) > dense(4,softmax)", 9, Fixtures.scaler(9, 3), 3);
    OnnxExporter.Export export = OnnxExporter.export(v, false);
    assertEquals(List.of("foldScaler"), export.optimizations());
    Onnx.Model model = OnnxCodec.decode(export.onnx());
    assertFalse(model.graph().nodes().stream().anyMatch(n -> n.opType().equals("Sub") || n.opType().equals("Mul")),
        "a folded scaler leaves no Sub or Mul node");
    assertOrtMatchesEngine(v, false, FP32);
  }

  @Test
  void float16WeightsStayWithinOnePercentOfTheFloat32Engine() throws Exception {
    ModelVersion v = Fixtures.version("dense(32,relu) > dense(16,tanh) > dense(5,softmax)", 12, Fixtures.scaler(12, 4),
        4);
    assertOrtMatchesEngine(v, true, FP16);
    ModelVersion wide = Fixtures.version("dense(128,relu) > dense(5,softmax)", 64, Preprocessing.identity(), 4);
    OnnxExporter.Export half = OnnxExporter.export(wide, true);
    OnnxExporter.Export full = OnnxExporter.export(wide, false);
    assertTrue(half.onnx().length < full.onnx().length * 0.6, half.onnx().length + " bytes against " + full.onnx().length);
    Onnx.Model model = OnnxCodec.decode(half.onnx());
    assertTrue(model.graph().initializers().stream().allMatch(t -> t.dataType() == Onnx.FLOAT16));
  }

  @Test
  void theModelCarriesItsSignatureLineageAndNamedInputAndOutput() throws Exception {
    ModelVersion v = Fixtures.version("dense(4,relu) > dense(3,softmax)", 5, Preprocessing.identity(), 5);
    byte[] onnx = OnnxExporter.export(v, false).onnx();
    Map<String, String> meta = Ort.metadata(onnx);
    assertEquals("m", meta.get("name"));
    assertEquals("3", meta.get("version"));
    assertEquals("5", meta.get("featureCount"));
    assertEquals("CLASSIFICATION", meta.get("task"));
    assertEquals("[\"class0\",\"class1\",\"class2\"]", meta.get("classNames"));
    assertEquals("SOFTMAX_CROSS_ENTROPY", meta.get("loss"));
    assertEquals("dense(4,relu) > dense(3,softmax)", meta.get("architecture"));
    assertTrue(meta.get("lineage").contains("\"examplesSeen\":1500"), meta.get("lineage"));
    Onnx.Model model = OnnxCodec.decode(onnx);
    assertEquals(OnnxExporter.IR_VERSION, model.irVersion());
    assertEquals(Map.of("", (long) OnnxExporter.OPSET), model.opsets());
    assertEquals(List.of("N", 5L), model.graph().inputs().get(0).dims());
    assertEquals("features", model.graph().inputs().get(0).name());
    assertEquals(List.of("N", 3L), model.graph().outputs().get(0).dims());
    assertEquals("scores", model.graph().outputs().get(0).name());
  }

  @Test
  void aBatchnormAfterALinearDenseIsFoldedIntoIt() throws Exception {
    ModelVersion v = Fixtures.version("dense(10) > batchnorm > dense(6,relu) > batchnorm(momentum=0.2,epsilon=0.001)"
        + " > dense(3,softmax)", 8, Fixtures.scaler(8, 6), 6);
    OnnxExporter.Export export = OnnxExporter.export(v, false);
    assertEquals(List.of("foldScaler", "foldBatchNorm1", "foldBatchNorm3"), export.optimizations());
    Onnx.Model model = OnnxCodec.decode(export.onnx());
    assertEquals(List.of("Gemm", "Gemm", "Relu", "Gemm", "Softmax"),
        model.graph().nodes().stream().map(Onnx.Node::opType).toList());
    float[] x = Fixtures.inputs(ROWS, 8, 8);
    assertClose(engine(v, x, ROWS), Ort.run(export.onnx(), x, ROWS, 8), FP32, 1e-3, "batchnorm folded");
    assertOrtMatchesEngine(v, true, FP16);
  }

  @Test
  void aCnnWithSamePaddingStridePoolsAndBatchnormRunsInOnnxRuntimeAsTheLayersAreDefined() throws Exception {
    String arch = "input(8,7,2) > conv2d(4,3,padding=same,relu) > batchnorm > maxpool(2) > conv2d(5,2,stride=2)"
        + " > batchnorm(momentum=0.1,epsilon=0.01) > avgpool(1) > flatten > dense(6,relu) > dense(3,softmax)";
    ModelVersion v = Fixtures.version(arch, 8 * 7 * 2, Fixtures.scaler(112, 9), 9);
    OnnxExporter.Export export = OnnxExporter.export(v, false);
    assertEquals(List.of("scalerNodes", "foldBatchNorm5"), export.optimizations());
    float[] x = Fixtures.inputs(ROWS, 112, 10);
    float[] expected = engine(v, x, ROWS);
    assertClose(expected, Ort.run(export.onnx(), x, ROWS, 112), FP32, 1e-3, "cnn");
    assertClose(expected, Ort.run(OnnxExporter.export(v, true).onnx(), x, ROWS, 112), FP16, 1e-3, "cnn fp16");
  }

  @Test
  void aTinyConvolutionGivesTheHandComputedValues() throws Exception {
    // one 3x3 channels-last image, one 2x2 filter [[1,0],[0,-1]] plus bias 0.5, valid, then the
    // four outputs x[y][x] - x[y+1][x+1] + 0.5 pass through an identity dense layer
    ModelVersion v = new ModelVersion("tiny", 1, 0, java.time.Instant.EPOCH, "input(3,3,1) > conv2d(1,2) > dense(4)",
        new io.streamlearn.registry.Signature(9, io.streamlearn.registry.Signature.Task.REGRESSION, 4, List.of(), "MSE"),
        Preprocessing.identity(), List.of(
            new io.streamlearn.tensor.NamedTensor("layers.1.weight", new int[] {1, 1, 2, 2}, new float[] {1, 0, 0, -1}),
            new io.streamlearn.tensor.NamedTensor("layers.1.bias", new int[] {1}, new float[] {0.5f}),
            new io.streamlearn.tensor.NamedTensor("layers.2.weight", new int[] {4, 4},
                new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}),
            new io.streamlearn.tensor.NamedTensor("layers.2.bias", new int[] {4}, new float[4])),
        "-", Fixtures.version("dense(1)", 1, Preprocessing.identity(), 0).lineage(), Map.of());
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] expected = {1 - 5 + 0.5f, 2 - 6 + 0.5f, 4 - 8 + 0.5f, 5 - 9 + 0.5f};
    assertClose(expected, Ort.run(OnnxExporter.export(v, false).onnx(), x, 1, 9), 0, 1, "hand-computed conv");
  }

  @Test
  void theReferenceForwardPassAgreesWithTheEngineOnDenseAndConvolutionalNetworks() {
    ModelVersion v = Fixtures.version("dense(16,leaky_relu) > dense(8,sigmoid) > dense(4,softmax)", 7,
        Fixtures.scaler(7, 11), 11);
    float[] x = Fixtures.inputs(ROWS, 7, 12);
    assertClose(engine(v, x, ROWS), ReferenceForward.predict(v, x, ROWS), FP32, 1e-3, "reference vs engine");
    ModelVersion cnn = Fixtures.version("input(7,6,2) > conv2d(3,3,stride=2,padding=same,relu) > batchnorm"
        + " > avgpool(2) > dense(4,tanh) > batchnorm > dense(3,softmax)", 84, Fixtures.scaler(84, 13), 13);
    float[] images = Fixtures.inputs(ROWS, 84, 14);
    assertClose(engine(cnn, images, ROWS), ReferenceForward.predict(cnn, images, ROWS), FP32, 1e-3,
        "reference vs engine, cnn");
  }

  @Test
  void aBatchnormAfterAReluFoldsIntoTheFollowingDenseAndOnAnImageStaysANode() throws Exception {
    ModelVersion v = Fixtures.version("input(6,6,1) > conv2d(4,3,relu) > batchnorm > maxpool(2) > flatten"
        + " > dense(6,relu) > batchnorm(epsilon=0.001) > dense(3,softmax)", 36, Preprocessing.identity(), 15);
    OnnxExporter.Export export = OnnxExporter.export(v, false);
    assertEquals(List.of("foldBatchNorm6"), export.optimizations());
    assertEquals(1, OnnxCodec.decode(export.onnx()).graph().nodes().stream()
        .filter(n -> n.opType().equals("BatchNormalization")).count());
    assertOrtMatchesEngine(v, false, FP32);
    assertOrtMatchesEngine(v, true, FP16);
  }

  @Test
  void aVersionWithoutItsTensorsIsRefusedNamingTheMissingOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.export(
        Fixtures.version("dense(2)", 3, Preprocessing.identity(), 0).withContent(List.of(), Preprocessing.identity(),
            Map.of()), false));
    assertTrue(e.getMessage().contains("layers.0.weight"), e.getMessage());
  }

  @Test
  void aVersionWithAFeaturePipelineExportsItAsTheSidecarAndSaysSoInTheMetadata() {
    String pipeline = "{\"format\":1,\"spec\":\"origin:category(3)\"}";
    ModelVersion v = Fixtures.version("dense(2)", 3, Preprocessing.identity(), 0)
        .withFeaturePipeline(pipeline, List.of(new io.streamlearn.registry.Signature.InputField("origin", "category")));
    OnnxExporter.Export export = OnnxExporter.export(v, false);
    assertEquals(java.util.Optional.of(pipeline), export.sidecar());
    Onnx.Model model = OnnxCodec.decode(export.onnx());
    assertTrue(model.metadata().get("featurePipeline").contains("origin:category"), model.metadata().toString());
    assertTrue(OnnxExporter.export(Fixtures.version("dense(2)", 3, Preprocessing.identity(), 0), false).sidecar()
        .isEmpty(), "no pipeline, no sidecar");
  }
}
