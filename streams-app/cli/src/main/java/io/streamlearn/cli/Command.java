package io.streamlearn.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * One subcommand of the launcher. The services' commands live in this module; the tools module
 * (demo, benches, produce) adds its own through {@link Main#run(List, Map, PrintStream, List)}, so
 * the jar that runs {@code train} and {@code serve} never carries a broker.
 */
public interface Command {
  /** The word that selects it: {@code streamlearn <name> ...}. */
  String name();

  /** One line for the launcher's usage text. */
  String summary();

  /**
   * Runs the command with the arguments after its name; returns the exit status ({@link Main#OK},
   * {@link Main#FAILED}, {@link Main#USAGE}).
   */
  int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception;

  /** A command from its parts. */
  static Command of(String name, String summary, Runner runner) {
    return new Command() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String summary() {
        return summary;
      }

      @Override
      public int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
        return runner.run(args, env, out);
      }
    };
  }

  /** The body of a command. */
  @FunctionalInterface
  interface Runner {
    /** See {@link Command#run}. */
    int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception;
  }
}
