package io.streamlearn.cli;

import io.streamlearn.config.Settings;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * One subcommand of the launcher. The services' commands live in this module; the tools module
 * (demo, benches, produce) adds its own through {@link Main#run(List, Map, PrintStream, PrintStream,
 * List)}, so the jar that runs {@code train} and {@code serve} never carries a broker.
 *
 * <p>A command writes what the user asked for (results, the help text) to {@code out}. It reports
 * a wrong command line by throwing {@link UsageException} or {@link
 * org.apache.kafka.common.config.ConfigException}, and a failure by throwing anything else: {@link
 * Main} prints either on standard error and picks the exit status, so every command answers the
 * same way.
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

  /** A command from its parts; it handles {@code --help} itself. */
  static Command of(String name, String summary, Runner runner) {
    return new Simple(name, summary, runner);
  }

  /**
   * A command whose options are one {@link ConfigDef}: {@code -h} or {@code --help} anywhere prints
   * the usage line and every option with its default, and exits 0 without running it.
   */
  static Command withOptions(String name, String summary, String usage, ConfigDef options, Runner runner) {
    return of(name, summary, (args, env, out) -> {
      if (Settings.asksForHelp(args)) {
        out.println(Settings.help(usage, options) + "\n\n" + LogFormat.HELP);
        return Main.OK;
      }
      return runner.run(args, env, out);
    });
  }

  /** A command made of its name, its summary and its body. */
  record Simple(String name, String summary, Runner runner) implements Command {
    @Override
    public int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
      return runner.run(args, env, out);
    }
  }

  /** The body of a command. */
  @FunctionalInterface
  interface Runner {
    /** See {@link Command#run}. */
    int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception;
  }
}
