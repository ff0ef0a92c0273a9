package io.streamlearn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.InferenceExport;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryException;
import io.streamlearn.registry.VersionDiff;
import io.streamlearn.onnx.OnnxExporter;
import io.streamlearn.onnx.OnnxImport;
import io.streamlearn.onnx.OnnxImporter;
import io.streamlearn.registry.http.RegistryJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.stream.Collectors;

/**
 * {@code streamlearn models list|show|promote|rollback|export|import|diff}: the registry from the
 * command line, straight on the registry topic.
 */
final class ModelsCommand {
  /** {@code streamlearn models <action>}: one subcommand per action, all with the same options. */
  static final Command COMMAND = new Subcommands("models",
      "the registry from the command line: list|show|promote|rollback|export|import|diff",
      "streamlearn models <list|show|promote|rollback|export|import|diff> [options]", ModelsConfig.DEF, List.of(
          action("list", "every model and its versions (metrics, examples seen, aliases)"),
          action("show", "one version as JSON (--version N, or the one --alias names, else the latest)"),
          action("promote", "point --alias (default live) at --version N"),
          action("rollback", "move --alias (default live) back to the version it pointed at before"),
          action("export", "write an optimized copy of a version for serving to --to (or --output) FILE:"
              + " --format avro (the version record) or onnx (an ONNX model); scaler folded into the first layer,"
              + " --float16 halves the weights"),
          action("import", "publish the network of an ONNX file (--onnx FILE) as a new version of --model-name"),
          action("diff", "architecture, signature, metrics, lineage and weight change from --from to --to")));
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelsCommand() {}

  private static Command action(String action, String summary) {
    return Command.withOptions(action, summary, "streamlearn models " + action + " [options]", ModelsConfig.DEF,
        (args, env, out) -> run(action, args, env, out));
  }

  /** Runs one action against the registry topic; a registry refusal is thrown to {@link Main}. */
  private static int run(String action, List<String> args, Map<String, String> env, PrintStream out)
      throws IOException {
    ModelsSettings settings = ModelsConfig.fromArgs(args, env).settings();
    try (KafkaRegistry registry = KafkaRegistry.open(settings.kafka().clientProperties(), settings.modelsTopic())) {
      return new Action(registry, settings, out).run(action);
    }
  }

  /** One invocation. */
  private record Action(KafkaRegistry registry, ModelsSettings settings, PrintStream out) {
    int run(String action) throws IOException {
      switch (action) {
        case "list":
          return list();
        case "show":
          out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(resolve())));
          return Main.OK;
        case "promote":
          return promote();
        case "rollback":
          AliasMove back = registry.rollback(model(), alias(), settings.by(),
              reason("rolled back from the CLI"));
          out.printf("%s -> version %d (was %d)%n", back.key(), back.version(), back.previousVersion());
          return Main.OK;
        case "export":
          return settings.format().equals("onnx") ? exportOnnx() : export();
        case "import":
          return importOnnx();
        default:
          return diff();
      }
    }

    private String model() {
      return settings.model();
    }

    private String alias() {
      return settings.alias();
    }

    private String reason(String dflt) {
      String r = settings.reason();
      return r.isBlank() ? dflt : r;
    }

    private ModelVersion resolve() {
      long v = settings.version();
      if (v > 0) {
        return registry.version(model(), v).orElseThrow(() -> new RegistryException(
            RegistryException.Kind.NOT_FOUND, "model " + model() + " has no version " + v));
      }
      return registry.aliased(model(), alias()).or(() -> registry.read(s -> s.latest(model())))
          .orElseThrow(() -> new RegistryException(RegistryException.Kind.NOT_FOUND,
              "model " + model() + " has no versions"));
    }

    private Map<String, Object> json(ModelVersion v) {
      List<String> aliases = registry.aliases(v.name()).values().stream()
          .filter(a -> a.version() == v.version()).map(AliasMove::alias).sorted().toList();
      return RegistryJson.version(v, registry.read(s -> s.chunking(v.name(), v.version())), aliases);
    }

    private int list() throws IOException {
      List<Object> models = new ArrayList<>();
      for (String model : registry.models()) {
        Map<String, AliasMove> aliases = registry.aliases(model);
        NavigableMap<Long, ModelVersion> versions = registry.versions(model);
        if (settings.json()) {
          models.add(Map.of("name", model, "versions", versions.values().stream().map(this::json).toList()));
          continue;
        }
        out.printf("model %s  (%d versions; aliases: %s)%n", model, versions.size(), aliases.values().stream()
            .map(a -> a.alias() + "=" + a.version()).sorted().collect(Collectors.joining(", ")));
        out.printf("  %7s  %-24s  %-16s  %9s  %9s  %12s  %10s%n", "version", "created", "aliases",
            "holdout", "prequent.", "examples", "bytes");
        for (ModelVersion v : versions.values()) {
          String names = aliases.values().stream().filter(a -> a.version() == v.version())
              .map(AliasMove::alias).sorted().collect(Collectors.joining(","));
          out.printf(Locale.ROOT, "  %7d  %-24s  %-16s  %9s  %9s  %12d  %10d%n", v.version(), v.createdAt(), names,
              metric(v, "holdoutAccuracy"), metric(v, "prequentialAccuracy"), v.lineage().examplesSeen(),
              v.tensorBytes());
        }
      }
      if (settings.json()) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(models));
      }
      return Main.OK;
    }

    private static String metric(ModelVersion v, String name) {
      Double m = v.metrics().get(name);
      return m == null ? "-" : String.format(Locale.ROOT, "%.4f", m);
    }

    private int promote() {
      long version = settings.version();
      if (version < 1) {
        throw new IllegalArgumentException("promote needs --version N");
      }
      AliasMove move = registry.setAlias(model(), alias(), version, settings.by(),
          reason("promoted from the CLI"));
      out.printf("%s -> version %d (was %s)%n", move.key(), move.version(),
          move.previousVersion() == 0 ? "none" : String.valueOf(move.previousVersion()));
      return Main.OK;
    }

    private int export() throws IOException {
      String output = settings.exportFile();
      if (output.isBlank()) {
        throw new IllegalArgumentException("export needs --to FILE (or --output FILE)");
      }
      ModelVersion source = resolve();
      ModelVersion export = InferenceExport.of(source, settings.float16());
      RegistryCodec codec = new RegistryCodec();
      byte[] bytes = codec.encode(export);
      Files.write(Path.of(output), bytes);
      out.printf("exported %s to %s: %d bytes (the source is %d), optimizations: %s%n", source.key(), output,
          bytes.length, codec.encode(source).length, export.annotations().get(InferenceExport.OPTIMIZATIONS));
      return Main.OK;
    }

    /** The ONNX model of a version, and its feature-pipeline sidecar next to it when it has one. */
    private int exportOnnx() throws IOException {
      String output = settings.exportFile();
      if (output.isBlank()) {
        throw new IllegalArgumentException("export needs --to FILE (or --output FILE)");
      }
      ModelVersion source = resolve();
      OnnxExporter.Export export = OnnxExporter.export(source, settings.float16());
      Files.write(Path.of(output), export.onnx());
      out.printf("exported %s to %s: ONNX opset %d, %d bytes, input '%s' [N, %d], output '%s', optimizations: %s%n",
          source.key(), output, OnnxExporter.OPSET, export.onnx().length, OnnxExporter.INPUT,
          source.signature().featureCount(), OnnxExporter.OUTPUT, String.join(",", export.optimizations()));
      if (export.sidecar().isPresent()) {
        Path sidecar = Path.of(output + ".pipeline.json");
        Files.writeString(sidecar, export.sidecar().get());
        out.printf("feature pipeline written to %s%n", sidecar);
      }
      return Main.OK;
    }

    /** Publishes the network of an ONNX file as the next version of the model. */
    private int importOnnx() throws IOException {
      String file = settings.onnx();
      if (file.isBlank()) {
        throw new IllegalArgumentException("import needs --onnx FILE");
      }
      OnnxImport imported = OnnxImporter.read(Files.readAllBytes(Path.of(file)));
      long next = registry.read(s -> s.latestVersionNumber(model())) + 1;
      ModelVersion v = registry.publish(imported.toVersion(model(), next, Instant.now(), codeVersion(), file));
      out.printf("imported %s as %s: %s on %d features (%s, %d outputs)%n", file, v.key(), v.architecture(),
          v.signature().featureCount(), v.signature().task(), v.signature().outputCount());
      return Main.OK;
    }

    private static String codeVersion() {
      String v = ModelsCommand.class.getPackage().getImplementationVersion();
      return v == null ? "dev" : v;
    }

    private int diff() throws IOException {
      NavigableMap<Long, ModelVersion> versions = registry.versions(model());
      if (versions.isEmpty()) {
        throw new RegistryException(RegistryException.Kind.NOT_FOUND, "model " + model() + " has no versions");
      }
      long to = settings.toVersion() > 0 ? settings.toVersion() : versions.lastKey();
      Long before = versions.lowerKey(to);
      long from = settings.from() > 0 ? settings.from()
          : before == null ? to : before;
      ModelVersion a = registry.version(model(), from).orElseThrow(() -> new RegistryException(
          RegistryException.Kind.NOT_FOUND, "model " + model() + " has no version " + from));
      ModelVersion b = registry.version(model(), to).orElseThrow(() -> new RegistryException(
          RegistryException.Kind.NOT_FOUND, "model " + model() + " has no version " + to));
      VersionDiff d = VersionDiff.of(a, b);
      if (settings.json()) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(d));
        return Main.OK;
      }
      DiffText.print(d, out);
      return Main.OK;
    }
  }
}
