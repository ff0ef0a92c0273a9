package io.streamlearn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.Preprocessing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX's own checker (Debian's python3-onnx) accepts the exports; skipped where it is not installed. */
class OnnxCheckerTest {
  private static boolean onnxInstalled() throws Exception {
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import onnx").redirectErrorStream(true).start();
    return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Test
  void theOnnxCheckerAcceptsAnMlpAFloat16CnnAndAnEmbeddingExport(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")) && onnxInstalled(),
        "python3-onnx is not installed");
    Path mlp = dir.resolve("mlp.onnx");
    Files.write(mlp, OnnxExporter.export(Fixtures.version("dense(8,relu) > dense(3,softmax)", 5,
        Fixtures.scaler(5, 1), 1), false).onnx());
    Path cnn = dir.resolve("cnn.onnx");
    Files.write(cnn, OnnxExporter.export(Fixtures.version("input(6,6,2) > conv2d(3,3,padding=same,relu) > maxpool(2)"
        + " > batchnorm > dense(2,softmax)", 72, Preprocessing.identity(), 2), true).onnx());
    Path embedding = dir.resolve("embedding.onnx");
    FeatureLayout layout = new FeatureLayout(2, List.of(new FeatureLayout.SparseField("origin", 5),
        new FeatureLayout.SparseField("route", 8)));
    Files.write(embedding, OnnxExporter.export(Fixtures.embeddingVersion(
        "embedding(3) > dense(4,relu) > dense(2,softmax)", layout, 3, Fixtures.scaler(2, 3), 3), true, layout).onnx());
    for (Path file : new Path[] {mlp, cnn, embedding}) {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c",
          "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", file.toString())
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assumeTrue(p.waitFor(120, TimeUnit.SECONDS), "the checker did not finish");
      assertEquals(0, p.exitValue(), file.getFileName() + ": " + output);
    }
  }
}
