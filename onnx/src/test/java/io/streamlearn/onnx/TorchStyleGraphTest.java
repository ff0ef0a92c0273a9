package io.streamlearn.onnx;

import static io.streamlearn.onnx.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Graphs laid out as {@code torch.onnx.export} (opset 17, eval mode) writes them: Linear as Gemm
 * with {@code transB=1} and {@code [out, in]} weights, {@code x.view(-1,1,h,w)} as a Reshape by a
 * Constant, Conv with explicit pads, Flatten, Softmax on axis 1. ONNX Runtime runs the original
 * graph; the imported network must give its outputs. (The committed fixture of PyTorch itself is
 * {@link PyTorchFixtureTest}'s.)
 */
class TorchStyleGraphTest {
  private static final int ROWS = 16;
  private final Random random = new Random(31);
  private final List<Onnx.Tensor> inits = new ArrayList<>();

  private String param(String name, long... dims) {
    int n = 1;
    for (long d : dims) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian() * 0.4f;
    }
    inits.add(Onnx.Tensor.floats(name, dims, v));
    return name;
  }

  private static float[] runOriginal(byte[] onnx, float[] x, int features) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
         OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {ROWS, features});
         OrtSession.Result r = s.run(Map.of("input", in))) {
      float[][] y = (float[][]) r.get(0).getValue();
      float[] flat = new float[ROWS * y[0].length];
      for (int i = 0; i < ROWS; i++) {
        System.arraycopy(y[i], 0, flat, i * y[0].length, y[0].length);
      }
      return flat;
    }
  }

  private byte[] model(List<Onnx.Node> nodes, long features, long outputs) {
    Onnx.Graph g = new Onnx.Graph("main_graph", nodes, inits,
        List.of(new Onnx.ValueInfo("input", Onnx.FLOAT, List.of("batch", features))),
        List.of(new Onnx.ValueInfo("output", Onnx.FLOAT, List.of("batch", outputs))));
    return OnnxCodec.encode(new Onnx.Model(8, Map.of("", 17L), "pytorch", "2.4.0", 0, "", g, Map.of()));
  }

  private static Onnx.Node node(String name, String op, List<String> in, String out, Onnx.Attribute... attrs) {
    return new Onnx.Node(name, op, in, List.of(out), attrs);
  }

  @Test
  void aTorchLayoutMlpImportsAndTheEngineGivesWhatOnnxRuntimeGivesForTheOriginal() throws Exception {
    byte[] onnx = model(List.of(
        node("/0/Gemm", "Gemm", List.of("input", param("0.weight", 16, 12), param("0.bias", 16)), "/0/Gemm_output_0",
            Onnx.Attribute.ofFloat("alpha", 1f), Onnx.Attribute.ofFloat("beta", 1f), Onnx.Attribute.ofInt("transB", 1)),
        node("/1/Relu", "Relu", List.of("/0/Gemm_output_0"), "/1/Relu_output_0"),
        node("/3/Gemm", "Gemm", List.of("/1/Relu_output_0", param("3.weight", 8, 16), param("3.bias", 8)),
            "/3/Gemm_output_0", Onnx.Attribute.ofInt("transB", 1)),
        node("/4/LeakyRelu", "LeakyRelu", List.of("/3/Gemm_output_0"), "/4/LeakyRelu_output_0",
            Onnx.Attribute.ofFloat("alpha", 0.01f)),
        node("/5/Gemm", "Gemm", List.of("/4/LeakyRelu_output_0", param("5.weight", 3, 8), param("5.bias", 3)),
            "/5/Gemm_output_0", Onnx.Attribute.ofInt("transB", 1)),
        node("/6/Softmax", "Softmax", List.of("/5/Gemm_output_0"), "output", Onnx.Attribute.ofInt("axis", 1))), 12, 3);
    OnnxImport imported = OnnxImporter.read(onnx);
    assertEquals("dense(16,relu) > dense(8,leaky_relu) > dense(3,softmax)", imported.architecture());
    float[] x = Fixtures.inputs(ROWS, 12, 32);
    Model model = Model.of(NetworkSpec.parse(12, imported.architecture()), imported.tensors());
    float[] out = new float[ROWS * 3];
    model.predict(x, ROWS, out);
    assertClose(runOriginal(onnx, x, 12), out, 1e-5, 1e-3, "torch-style mlp");
  }

  @Test
  void aTorchLayoutCnnImportsAndGivesWhatOnnxRuntimeGivesForTheOriginal() throws Exception {
    Onnx.Tensor shape = Onnx.Tensor.longs("", -1, 1, 8, 8);
    byte[] onnx = model(List.of(
        new Onnx.Node("/Constant", "Constant", List.of(), List.of("/Constant_output_0"),
            Onnx.Attribute.ofTensor("value", shape)),
        node("/Reshape", "Reshape", List.of("input", "/Constant_output_0"), "/Reshape_output_0"),
        node("/conv1/Conv", "Conv", List.of("/Reshape_output_0", param("conv1.weight", 4, 1, 3, 3), param("conv1.bias", 4)),
            "/conv1/Conv_output_0", Onnx.Attribute.ofInts("dilations", 1, 1), Onnx.Attribute.ofInt("group", 1),
            Onnx.Attribute.ofInts("kernel_shape", 3, 3), Onnx.Attribute.ofInts("pads", 1, 1, 1, 1),
            Onnx.Attribute.ofInts("strides", 1, 1)),
        node("/Relu", "Relu", List.of("/conv1/Conv_output_0"), "/Relu_output_0"),
        node("/pool/MaxPool", "MaxPool", List.of("/Relu_output_0"), "/pool/MaxPool_output_0",
            Onnx.Attribute.ofInt("ceil_mode", 0), Onnx.Attribute.ofInts("kernel_shape", 2, 2),
            Onnx.Attribute.ofInts("pads", 0, 0, 0, 0), Onnx.Attribute.ofInts("strides", 2, 2)),
        node("/conv2/Conv", "Conv", List.of("/pool/MaxPool_output_0", param("conv2.weight", 6, 4, 3, 3),
            param("conv2.bias", 6)), "/conv2/Conv_output_0", Onnx.Attribute.ofInts("kernel_shape", 3, 3),
            Onnx.Attribute.ofInts("pads", 0, 0, 0, 0), Onnx.Attribute.ofInts("strides", 1, 1)),
        node("/Relu_1", "Relu", List.of("/conv2/Conv_output_0"), "/Relu_1_output_0"),
        node("/avg/AveragePool", "AveragePool", List.of("/Relu_1_output_0"), "/avg/AveragePool_output_0",
            Onnx.Attribute.ofInts("kernel_shape", 2, 2), Onnx.Attribute.ofInts("pads", 0, 0, 0, 0),
            Onnx.Attribute.ofInts("strides", 2, 2)),
        node("/Flatten", "Flatten", List.of("/avg/AveragePool_output_0"), "/Flatten_output_0",
            Onnx.Attribute.ofInt("axis", 1)),
        node("/fc1/Gemm", "Gemm", List.of("/Flatten_output_0", param("fc1.weight", 10, 6), param("fc1.bias", 10)),
            "/fc1/Gemm_output_0", Onnx.Attribute.ofInt("transB", 1)),
        node("/Tanh", "Tanh", List.of("/fc1/Gemm_output_0"), "/Tanh_output_0"),
        node("/fc2/Gemm", "Gemm", List.of("/Tanh_output_0", param("fc2.weight", 3, 10), param("fc2.bias", 3)),
            "/fc2/Gemm_output_0", Onnx.Attribute.ofInt("transB", 1)),
        node("/Softmax", "Softmax", List.of("/fc2/Gemm_output_0"), "output", Onnx.Attribute.ofInt("axis", 1))), 64, 3);
    OnnxImport imported = OnnxImporter.read(onnx);
    assertEquals("input(8,8,1) > conv2d(4,3,padding=same,relu) > maxpool(2) > conv2d(6,3,relu) > avgpool(2) > flatten"
        + " > dense(10,tanh) > dense(3,softmax)", imported.architecture());
    float[] x = Fixtures.inputs(ROWS, 64, 33);
    Model model = Model.of(NetworkSpec.parse(64, imported.architecture()), imported.tensors());
    float[] out = new float[ROWS * 3];
    model.predict(x, ROWS, out);
    assertClose(runOriginal(onnx, x, 64), out, 1e-5, 1e-3, "torch-style cnn");
  }
}
