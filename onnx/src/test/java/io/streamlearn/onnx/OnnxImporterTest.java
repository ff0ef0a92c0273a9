package io.streamlearn.onnx;

import static io.streamlearn.onnx.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Engine → ONNX → engine gives the same outputs; graphs written as PyTorch writes them import; the rest is refused by name. */
class OnnxImporterTest {
  private static final int ROWS = 32;

  private static float[] engine(String architecture, int features, List<io.streamlearn.tensor.NamedTensor> tensors,
                                Preprocessing p, float[] x) {
    Model model = Model.of(NetworkSpec.parse(features, architecture), tensors, p);
    float[] out = new float[ROWS * model.outputs()];
    model.predict(x, ROWS, out);
    return out;
  }

  @Test
  void anMlpWithAScalerComesBackFromOnnxGivingTheSameOutputsAndSignature() {
    ModelVersion v = Fixtures.version("dense(16,relu) > dropout(0.3) > dense(8,leaky_relu) > dense(3,softmax)", 10,
        Fixtures.scaler(10, 21), 21);
    OnnxImport imported = OnnxImporter.read(OnnxExporter.export(v, false).onnx());
    assertEquals("dense(16,relu) > dense(8,leaky_relu) > dense(3,softmax)", imported.architecture());
    assertEquals(v.signature(), imported.signature());
    assertTrue(imported.preprocessing().isIdentity(), "the scaler was folded into the first layer");
    float[] x = Fixtures.inputs(ROWS, 10, 22);
    assertClose(engine(v.architecture(), 10, v.tensors(), v.preprocessing(), x),
        engine(imported.architecture(), 10, imported.tensors(), imported.preprocessing(), x), 1e-5, 1e-3, "round trip");
    ModelVersion published = imported.toVersion("copy", 1, Instant.EPOCH, "0.1.0", "m.onnx");
    assertEquals("m.onnx", published.lineage().hyperparameters().get("importedFrom"));
    assertEquals("m:3", published.lineage().hyperparameters().get("exportedFrom"));
    published.verifyChecksum();
  }

  @Test
  void aCnnWithScalerNodesComesBackWithTheSameArchitectureAndOutputs() throws Exception {
    String arch = "input(6,6,3) > conv2d(4,3,padding=same,relu) > maxpool(2) > batchnorm > conv2d(2,2,stride=1,tanh)"
        + " > flatten > dense(5,sigmoid) > dense(2,softmax)";
    ModelVersion v = Fixtures.version(arch, 108, Fixtures.scaler(108, 23), 23);
    byte[] onnx = OnnxExporter.export(v, false).onnx();
    OnnxImport imported = OnnxImporter.read(onnx);
    assertEquals(LayerTexts.text(LayerTexts.layers(arch)), imported.architecture());
    assertEquals(v.preprocessing(), imported.preprocessing());
    ModelVersion back = imported.toVersion("m", 3, Instant.EPOCH, "0.1.0", "m.onnx");
    float[] x = Fixtures.inputs(ROWS, 108, 24);
    assertClose(Ort.run(onnx, x, ROWS, 108), Ort.run(OnnxExporter.export(back, false).onnx(), x, ROWS, 108), 1e-6, 1e-3,
        "cnn re-export");
    assertClose(engine(v.architecture(), 108, v.tensors(), v.preprocessing(), x),
        engine(back.architecture(), 108, back.tensors(), back.preprocessing(), x), 1e-5, 1e-3, "cnn round trip");
  }

  @Test
  void float16WeightsImportAsTheirFloatValues() {
    ModelVersion v = Fixtures.version("dense(8,tanh) > dense(2)", 4, Preprocessing.identity(), 25);
    OnnxImport imported = OnnxImporter.read(OnnxExporter.export(v, true).onnx());
    assertEquals("dense(8,tanh) > dense(2,linear)", imported.architecture());
    float[] original = v.tensors().get(0).data();
    float[] half = imported.tensors().get(0).data();
    for (int i = 0; i < original.length; i++) {
      assertEquals(io.streamlearn.tensor.Float16.round(original[i]), half[i], "weight " + i);
    }
  }

  /** A graph as {@code torch.onnx.export} writes {@code nn.Sequential(Linear, ReLU, Linear)}: Gemm with transB=1. */
  @Test
  void aGemmWithTransposedWeightsAlphaAndBetaImportsAsADenseLayer() throws Exception {
    float[] w0 = {1, 2, 3, -1, 0.5f, 0.25f}; // [out=2, in=3], transB
    float[] b0 = {0.1f, -0.2f};
    float[] w1 = {2, -1, 0.5f, 1}; // [in=2, out=2], MatMul
    float[] b1 = {0.3f, 0.4f};
    Onnx.Graph g = new Onnx.Graph("torch_jit", List.of(
        new Onnx.Node("/0/Gemm", "Gemm", List.of("input", "0.weight", "0.bias"), List.of("/0/Gemm_output_0"),
            Onnx.Attribute.ofFloat("alpha", 2f), Onnx.Attribute.ofFloat("beta", 0.5f), Onnx.Attribute.ofInt("transB", 1)),
        new Onnx.Node("/1/Relu", "Relu", List.of("/0/Gemm_output_0"), List.of("/1/Relu_output_0")),
        new Onnx.Node("/2/Dropout", "Dropout", List.of("/1/Relu_output_0"), List.of("/2/Dropout_output_0")),
        new Onnx.Node("/3/MatMul", "MatMul", List.of("/2/Dropout_output_0", "3.weight"), List.of("/3/MatMul_output_0")),
        new Onnx.Node("/3/Add", "Add", List.of("/3/MatMul_output_0", "3.bias"), List.of("output"))),
        List.of(Onnx.Tensor.floats("0.weight", new long[] {2, 3}, w0), Onnx.Tensor.floats("0.bias", new long[] {2}, b0),
            Onnx.Tensor.floats("3.weight", new long[] {2, 2}, w1), Onnx.Tensor.floats("3.bias", new long[] {2}, b1)),
        List.of(new Onnx.ValueInfo("input", Onnx.FLOAT, List.of("batch_size", 3L))),
        List.of(new Onnx.ValueInfo("output", Onnx.FLOAT, List.of("batch_size", 2L))));
    byte[] onnx = OnnxCodec.encode(new Onnx.Model(8, Map.of("", 17L), "pytorch", "2.1", 0, "", g, Map.of()));
    OnnxImport imported = OnnxImporter.read(onnx);
    assertEquals("dense(2,relu) > dense(2,linear)", imported.architecture());
    assertEquals(new Signature(3, Signature.Task.REGRESSION, 2, List.of(), "MSE"), imported.signature());
    // hand-computed: h = relu(2 * x W0^T + 0.5 * b0), y = h W1 + b1, for x = (1, 1, 1)
    float[] x = {1, 1, 1};
    float h0 = Math.max(0, 2 * (1 + 2 + 3) + 0.05f);
    float h1 = Math.max(0, 2 * (-1 + 0.5f + 0.25f) - 0.1f);
    float[] expected = {h0 * 2 + h1 * 0.5f + 0.3f, h0 * -1 + h1 * 1 + 0.4f};
    Model model = Model.of(NetworkSpec.parse(3, imported.architecture()), imported.tensors());
    assertClose(expected, model.predict(x), 1e-6, 1e-3, "hand-computed");
  }

  @Test
  void aBatchNormalizationBetweenAGemmAndItsReluIsFoldedIntoTheDenseLayer() {
    Onnx.Graph g = new Onnx.Graph("g", List.of(
        new Onnx.Node("fc", "Gemm", List.of("x", "w", "b"), List.of("z")),
        new Onnx.Node("bn", "BatchNormalization", List.of("z", "gamma", "beta", "mean", "var"), List.of("n"),
            Onnx.Attribute.ofFloat("epsilon", 0.001f)),
        new Onnx.Node("act", "Relu", List.of("n"), List.of("y"))),
        List.of(Onnx.Tensor.floats("w", new long[] {2, 2}, new float[] {1, 2, 3, 4}),
            Onnx.Tensor.floats("b", new long[] {2}, new float[] {0.5f, -0.5f}),
            Onnx.Tensor.floats("gamma", new long[] {2}, new float[] {2, 0.5f}),
            Onnx.Tensor.floats("beta", new long[] {2}, new float[] {0.1f, 0.2f}),
            Onnx.Tensor.floats("mean", new long[] {2}, new float[] {1, 20}),
            Onnx.Tensor.floats("var", new long[] {2}, new float[] {4, 0.25f})),
        List.of(new Onnx.ValueInfo("x", Onnx.FLOAT, List.of("N", 2L))),
        List.of(new Onnx.ValueInfo("y", Onnx.FLOAT, List.of("N", 2L))));
    OnnxImport imported = OnnxImporter.read(OnnxCodec.encode(new Onnx.Model(8, Map.of("", 17L), "t", "", 0, "", g,
        Map.of())));
    assertEquals("dense(2,relu)", imported.architecture());
    // x = (1, 2): z = (1 + 6 + 0.5, 2 + 8 - 0.5) = (7.5, 9.5)
    float[] expected = {(float) Math.max(0, (7.5 - 1) * 2 / Math.sqrt(4.001) + 0.1),
        (float) Math.max(0, (9.5 - 20) * 0.5 / Math.sqrt(0.251) + 0.2)};
    Model model = Model.of(NetworkSpec.parse(2, imported.architecture()), imported.tensors());
    assertClose(expected, model.predict(new float[] {1, 2}), 1e-6, 1e-3, "folded batchnorm");
  }

  private static Onnx.Model oneNode(Onnx.Node node) {
    Onnx.Graph g = new Onnx.Graph("g", List.of(
        new Onnx.Node("fc", "Gemm", List.of("x", "w", "b"), List.of("h")), node),
        List.of(Onnx.Tensor.floats("w", new long[] {2, 2}, new float[] {1, 0, 0, 1}),
            Onnx.Tensor.floats("b", new long[] {2}, new float[2])),
        List.of(new Onnx.ValueInfo("x", Onnx.FLOAT, List.of("N", 2L))),
        List.of(new Onnx.ValueInfo(node.outputs().get(0), Onnx.FLOAT, List.of("N", 2L))));
    return new Onnx.Model(8, Map.of("", 17L), "test", "", 0, "", g, Map.of());
  }

  @Test
  void anUnsupportedOperatorIsRefusedNamingTheOperatorAndTheNode() {
    byte[] onnx = OnnxCodec.encode(oneNode(new Onnx.Node("/act/Gelu", "Gelu", List.of("h"), List.of("y"))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImporter.read(onnx));
    assertTrue(e.getMessage().contains("'/act/Gelu'") && e.getMessage().contains("unsupported operator Gelu"),
        e.getMessage());
  }

  @Test
  void aLeakyReluOfAnotherSlopeIsRefused() {
    byte[] onnx = OnnxCodec.encode(oneNode(new Onnx.Node("lr", "LeakyRelu", List.of("h"), List.of("y"),
        Onnx.Attribute.ofFloat("alpha", 0.2f))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImporter.read(onnx));
    assertTrue(e.getMessage().contains("'lr'") && e.getMessage().contains("alpha 0.2"), e.getMessage());
  }

  @Test
  void aBranchingGraphIsRefusedAsNotAChain() {
    byte[] onnx = OnnxCodec.encode(oneNode(new Onnx.Node("skip", "Relu", List.of("x"), List.of("y"))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImporter.read(onnx));
    assertTrue(e.getMessage().contains("'skip'") && e.getMessage().contains("chain"), e.getMessage());
  }

  @Test
  void bytesThatAreNotOnnxAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxImporter.read("hello, not a model".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("ONNX"), e.getMessage());
  }
}
