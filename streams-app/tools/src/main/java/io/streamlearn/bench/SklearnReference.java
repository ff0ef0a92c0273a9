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
 * The features bench's quality reference: runs {@code bench/features/flights_sklearn.py} (scikit-learn's
 * SGDClassifier on the same prequential pass) in a child Python and reads its {@code RESULT
 * name=value} lines. A missing Python, a missing scikit-learn ({@code SKIP} line) or a failure leaves
 * the row empty with the reason, never a failed bench.
 */
final class SklearnReference {
  private static final Logger LOG = LoggerFactory.getLogger(SklearnReference.class);

  private SklearnReference() {}

  /** The reference's figures (empty when skipped) and a note: its version, or why none. */
  record Result(Map<String, Double> figures, String note) {
    static Result skipped(String why) {
      return new Result(Map.of(), "skipped" + (why.startsWith("--") ? " (" + why + ")" : ": " + why));
    }
  }

  static Result run(String python, String script, Path data, int batch, long seed) throws IOException, InterruptedException {
    Path path = script.isBlank() ? findScript() : Path.of(script);
    if (path == null) {
      return Result.skipped("bench/features/flights_sklearn.py not found (give --script)");
    }
    if (!Files.isExecutable(Path.of(python))) {
      return Result.skipped(python + " not found");
    }
    Optional<ReferenceProcess.Output> output = ReferenceProcess.run(List.of(python, path.toString(), "--data", data.toString(), "--batch", Integer.toString(batch),
        "--seed", Long.toString(seed)), Duration.ofMinutes(10));
    if (output.isEmpty()) {
      return Result.skipped("timed out");
    }
    List<String> lines = output.get().lines();
    int exitCode = output.get().exitCode();
    Map<String, Double> figures = new LinkedHashMap<>();
    String version = "?";
    for (String line : lines) {
      if (line.startsWith("SKIP ")) {
        return Result.skipped(line.substring(5) + " (install Debian's python3-sklearn, or give --python)");
      } else if (line.startsWith("SKLEARN ")) {
        version = line.substring(8);
      } else if (line.startsWith("RESULT ")) {
        String[] kv = line.substring(7).trim().split("=", 2);
        figures.put(kv[0], Double.parseDouble(kv[1]));
      }
    }
    if (exitCode != 0 || !figures.containsKey("auc")) {
      LOG.warn("scikit-learn reference failed (exit {}): {}", exitCode, String.join("\n", lines));
      return new Result(Map.of(), "failed with exit code " + exitCode);
    }
    return new Result(figures, "scikit-learn " + version + " by " + python + ", same run, same pass");
  }

  private static Path findScript() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("bench/features/flights_sklearn.py");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    return null;
  }
}
