package io.streamlearn.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    ProcessBuilder pb = new ProcessBuilder(python, path.toString(), "--data", data.toString(), "--batch", Integer.toString(batch),
        "--seed", Long.toString(seed));
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    pb.redirectErrorStream(true);
    Process process = pb.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    }
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return Result.skipped("timed out");
    }
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
    if (process.exitValue() != 0 || !figures.containsKey("auc")) {
      LOG.warn("scikit-learn reference failed (exit {}): {}", process.exitValue(), String.join("\n", lines));
      return new Result(Map.of(), "failed with exit code " + process.exitValue());
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
