package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.testkit.RandomModels;
import io.streamlearn.it.BrokerIT;
import io.streamlearn.registry.InferenceExport;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code streamlearn models ...} against a registry on an embedded broker. */
class ModelsCommandIT extends BrokerIT {
  private static String topic;

  @BeforeAll
  static void setUp() {
    topic = "models-cli-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
    KafkaSupport.ensureTopics(client, (short) -1, List.of(KafkaSupport.registryTopic(topic)));
    try (KafkaRegistry registry = KafkaRegistry.open(client, topic)) {
      for (int v = 1; v <= 3; v++) {
        registry.publish(RandomModels.random("cli", v, 5, "dense(6,relu) > dense(3,softmax)", v,
            Map.of("holdoutAccuracy", 0.8 + v / 100.0)));
      }
      registry.promote("cli", 1, "trainer", "first");
    }
  }

  private record Run(int status, String out) {}

  private static Run models(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("models"));
    all.addAll(List.of(args));
    all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic));
    int status = Main.run(all, Map.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Run(status, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void listShowPromoteRollbackExportAndDiff() throws Exception {
    Run list = models("list");
    assertEquals(Main.OK, list.status(), list.out());
    assertTrue(list.out().contains("model cli  (3 versions; aliases: live=1)"), list.out());
    assertTrue(list.out().contains("0.8300"), "holdout accuracy of version 3 listed: " + list.out());

    Run show = models("show", "--model-name", "cli", "--version", "2");
    assertEquals(Main.OK, show.status(), show.out());
    assertTrue(show.out().contains("\"version\" : 2") && show.out().contains("\"examplesSeen\" : 2000"), show.out());

    Run promote = models("promote", "--model-name", "cli", "--version", "3", "--by", "ana", "--reason", "better");
    assertEquals(Main.OK, promote.status(), promote.out());
    assertEquals("cli@live -> version 3 (was 1)", promote.out().strip());
    Run rollback = models("rollback", "--model-name", "cli", "--by", "ana");
    assertEquals("cli@live -> version 1 (was 3)", rollback.out().strip(), rollback.out());
    Run nothing = models("rollback", "--model-name", "cli");
    assertEquals(Main.FAILED, nothing.status(), nothing.out());
    assertTrue(nothing.out().contains("no earlier version"), nothing.out());

    Path file = Files.createTempFile("export-", ".avro");
    Run export = models("export", "--model-name", "cli", "--version", "3", "--output", file.toString(),
        "--float16", "true");
    assertEquals(Main.OK, export.status(), export.out());
    assertTrue(export.out().contains("optimizations: foldScaler,float16"), export.out());
    RegistryCodec codec = new RegistryCodec();
    ModelVersion exported = codec.decodeVersion("cli:3", k -> {
      try {
        return Files.readAllBytes(file);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertEquals("cli:3", exported.annotations().get(InferenceExport.EXPORTED_FROM));
    assertTrue(exported.tensors().stream().allMatch(t -> t.dtype() == NamedTensor.DType.FLOAT16));

    Run diff = models("diff", "--model-name", "cli", "--from", "2", "--to", "3");
    assertEquals(Main.OK, diff.status(), diff.out());
    assertTrue(diff.out().contains("diff cli:2 -> cli:3") && diff.out().contains("architecture: same")
        && diff.out().contains("holdoutAccuracy") && diff.out().contains("layers.0.weight")
        && diff.out().contains("examples seen 2000 -> 3000"), diff.out());

    Run missing = models("show", "--model-name", "cli", "--version", "9");
    assertEquals(Main.FAILED, missing.status());
    assertTrue(missing.out().contains("has no version 9"), missing.out());
    Run usage = models("frobnicate");
    assertEquals(Main.USAGE, usage.status(), usage.out());
  }

  @Test
  void exportAsOnnxThenImportPublishesTheSameNetworkAsANewModel() throws Exception {
    Path file = Files.createTempFile("export-", ".onnx");
    Run export = models("export", "--model-name", "cli", "--version", "2", "--format", "onnx", "--to", file.toString());
    assertEquals(Main.OK, export.status(), export.out());
    assertTrue(export.out().contains("ONNX opset 17") && export.out().contains("optimizations: foldScaler"),
        export.out());
    Run imported = models("import", "--onnx", file.toString(), "--model-name", "cli-onnx");
    assertEquals(Main.OK, imported.status(), imported.out());
    assertTrue(imported.out().contains("as cli-onnx:1: dense(6,relu) > dense(3,softmax) on 5 features"),
        imported.out());
    Run again = models("import", "--onnx", file.toString(), "--model-name", "cli-onnx");
    assertTrue(again.out().contains("as cli-onnx:2"), again.out());
    Run show = models("show", "--model-name", "cli-onnx", "--version", "1");
    assertTrue(show.out().contains("\"importedFrom\" : \"" + file + "\""), show.out());

    Path notOnnx = Files.createTempFile("not-", ".onnx");
    Files.writeString(notOnnx, "plain text");
    Run refused = models("import", "--onnx", notOnnx.toString(), "--model-name", "cli-onnx");
    assertEquals(Main.USAGE, refused.status(), refused.out());
    assertTrue(refused.out().contains("ONNX"), refused.out());
    Run diffWithFile = models("diff", "--model-name", "cli", "--to", "m.onnx");
    assertEquals(Main.USAGE, diffWithFile.status(), diffWithFile.out());
    assertTrue(diffWithFile.out().contains("diff --to takes a version number"), diffWithFile.out());
  }
}
