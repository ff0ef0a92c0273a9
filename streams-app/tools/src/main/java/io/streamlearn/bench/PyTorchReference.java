package io.streamlearn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine bench's other side: runs {@code bench/engine/pytorch_reference.py} in a child Python
 * on one thread ({@code OMP_NUM_THREADS=1}, as ours) and reads its {@code RESULT name=value} lines.
 * A missing Python, a missing PyTorch ({@code SKIP} line) or a failure leaves the PyTorch column
 * empty with the reason under the table, never a failed bench: our figures stand on their own.
 */
final class PyTorchReference {
  private static final Logger LOG = LoggerFactory.getLogger(PyTorchReference.class);

  private PyTorchReference() {
  }

  /** PyTorch's figures (empty when skipped) and the note under the table: its version, or why none. */
  record Result(Map<String, Double> figures, String note) {
    /** No figures, and why. */
    static Result skipped(String why) {
      return new Result(Map.of(), "PyTorch reference skipped" + (why.startsWith("--") ? " (" + why + ")" : ": " + why));
    }
  }

  /**
   * Runs the reference with the same passes and seeds as ours.
   *
   * @param script the script's path; empty searches {@code bench/engine/pytorch_reference.py}
   *     upwards from the working directory
   */
  static Result run(String python, String script, Path data, int repeats, long[] seeds, boolean cnn)
      throws IOException, InterruptedException {
    Path path = script.isBlank() ? findScript() : Path.of(script);
    if (path == null) {
      return Result.skipped("bench/engine/pytorch_reference.py not found (give --script)");
    }
    Result result = runPyTorch(python, path, data, repeats, seeds, cnn);
    return new Result(withSeedMeans(result.figures(), seeds), result.note());
  }

  private static Path findScript() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("bench/engine/pytorch_reference.py");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    return null;
  }

  private static Result runPyTorch(String python, Path script, Path data, int repeats, long[] seeds, boolean cnn)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(python))) {
      return Result.skipped(python + " not found");
    }
    Optional<ReferenceProcess.Output> output = ReferenceProcess.run(List.of(python, script.toString(), "--data", data.toString(),
        "--repeats", Integer.toString(repeats), "--seeds", seeds.length == 0 ? "none" : EngineTable.seedsLabel(seeds), "--cnn", cnn ? "1" : "0"), Duration.ofMinutes(30));
    if (output.isEmpty()) {
      return Result.skipped("timed out");
    }
    List<String> lines = output.get().lines();
    int exitCode = output.get().exitCode();
    Map<String, Double> figures = new LinkedHashMap<>();
    String skip = null;
    for (String line : lines) {
      if (line.startsWith("SKIP ")) {
        skip = line.substring(5);
      } else if (line.startsWith("RESULT ")) {
        String[] kv = line.substring(7).trim().split("=", 2);
        figures.put(kv[0], Double.parseDouble(kv[1]));
      }
    }
    if (skip != null) {
      return Result.skipped(skip);
    }
    if (exitCode != 0 || figures.isEmpty()) {
      LOG.warn("PyTorch reference failed (exit {}): {}", exitCode, String.join("\n", lines));
      return new Result(Map.of(), "PyTorch reference failed with exit code " + exitCode);
    }
    return new Result(figures, "PyTorch " + lines.stream().filter(l -> l.startsWith("TORCH ")).map(l -> l.substring(6))
        .findFirst().orElse("?") + ", one thread, same invocation");
  }

  /**
   * PyTorch's figures with the seed means added and copied to the default-init rows: PyTorch has one
   * initialisation, which those rows are compared with too.
   */
  private static Map<String, Double> withSeedMeans(Map<String, Double> figures, long[] seeds) {
    if (figures.isEmpty()) {
      return figures;
    }
    Map<String, Double> out = new LinkedHashMap<>(figures);
    if (seeds.length > 0) {
      double m = EngineTable.mean(figures, "mlp_preq_acc_seed", seeds);
      if (!Double.isNaN(m)) {
        out.put("mlp_preq_acc_seeds", m);
        out.put("mlp_default_preq_acc_seeds", m);
      }
    }
    for (String key : List.of("mlp_test_acc", "mlp_preq_acc")) {
      if (figures.containsKey(key)) {
        out.put(key.replace("mlp_", "mlp_default_"), figures.get(key));
      }
    }
    return out;
  }
}
