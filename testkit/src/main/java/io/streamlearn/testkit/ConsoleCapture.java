package io.streamlearn.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs a command-line entry point ({@code Main.run}, {@code ToolsMain.run}) with no environment and
 * keeps what its last run printed on standard output and standard error, for tests of the launchers.
 * Not thread-safe.
 */
public final class ConsoleCapture {

  /** An entry point in the launchers' shape: arguments, environment, output, errors; an exit status. */
  @FunctionalInterface
  public interface Entry {
    /** Runs the command and returns its exit status. */
    int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err);
  }

  private final Entry entry;
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  /** Captures the runs of {@code entry}. */
  public ConsoleCapture(Entry entry) {
    this.entry = entry;
  }

  /** Runs the command with {@code args} and an empty environment, forgetting what earlier runs printed. */
  public int run(String... args) {
    outBytes.reset();
    errBytes.reset();
    return entry.run(List.of(args), Map.of(), out, err);
  }

  /** What the last run printed on standard output. */
  public String output() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  /** What the last run printed on standard error. */
  public String errors() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }
}
