package io.streamlearn.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a reference script of a bench (PyTorch, scikit-learn) as a child process on one thread:
 * OpenMP, MKL and OpenBLAS are each told to use one, as the engine does.
 */
final class ReferenceProcess {
  private ReferenceProcess() {}

  /** What a finished script printed (standard output and error) and its exit code. */
  record Output(List<String> lines, int exitCode) {}

  /**
   * What the command printed and its exit code, or empty if it ran longer than {@code timeout}, in
   * which case it is killed.
   */
  static Optional<Output> run(List<String> command, Duration timeout) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("MKL_NUM_THREADS", "1");
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    pb.redirectErrorStream(true);
    Process process = pb.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    }
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      return Optional.empty();
    }
    return Optional.of(new Output(lines, process.exitValue()));
  }
}
