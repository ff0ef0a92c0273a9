package io.streamlearn.onnx;

import static io.streamlearn.onnx.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.ModelVersion;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Models exported by PyTorch ({@code fixtures/make_fixture.py}) import and give PyTorch's outputs
 * on its inputs, served by the engine (the CNN also re-exported and run in ONNX Runtime). Skipped,
 * with the reason, where the fixture has not been generated (it needs python3-torch).
 */
class PyTorchFixtureTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = PyTorchFixtureTest.class.getResourceAsStream("/fixtures/" + name)) {
      assumeTrue(in != null, "fixtures/" + name + " is absent: run fixtures/make_fixture.py with python3-torch");
      return in.readAllBytes();
    }
  }

  private static float[] flat(JsonNode rows) {
    int width = rows.get(0).size();
    float[] out = new float[rows.size() * width];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < width; c++) {
        out[r * width + c] = (float) rows.get(r).get(c).asDouble();
      }
    }
    return out;
  }

  @Test
  void pyTorchsMlpImportsAndTheEngineGivesPyTorchsOutputs() throws Exception {
    JsonNode expected = new ObjectMapper().readTree(resource("torch_expected.json")).get("mlp");
    OnnxImport imported = OnnxImporter.read(resource("torch_mlp.onnx"));
    assertEquals("dense(16,relu) > dense(8,leaky_relu) > dense(3,softmax)", imported.architecture());
    int rows = expected.get("inputs").size();
    Model model = Model.of(NetworkSpec.parse(12, imported.architecture()), imported.tensors());
    float[] out = new float[rows * 3];
    model.predict(flat(expected.get("inputs")), rows, out);
    assertClose(flat(expected.get("outputs")), out, 1e-5, 1e-3, "torch mlp");
  }

  @Test
  void pyTorchsCnnImportsAndGivesPyTorchsOutputs() throws Exception {
    JsonNode expected = new ObjectMapper().readTree(resource("torch_expected.json")).get("cnn");
    OnnxImport imported = OnnxImporter.read(resource("torch_cnn.onnx"));
    ModelVersion v = imported.toVersion("torch-cnn", 1, Instant.EPOCH, "test", "torch_cnn.onnx");
    int rows = expected.get("inputs").size();
    float[] x = flat(expected.get("inputs"));
    float[] want = flat(expected.get("outputs"));
    Model model = Model.of(NetworkSpec.parse(64, v.architecture()), v.tensors());
    float[] out = new float[rows * 3];
    model.predict(x, rows, out);
    assertClose(want, out, 1e-5, 1e-3, "torch cnn, engine");
    assertClose(want, Ort.run(OnnxExporter.export(v, false).onnx(), x, rows, 64), 1e-5, 1e-3, "torch cnn, re-exported");
  }
}
