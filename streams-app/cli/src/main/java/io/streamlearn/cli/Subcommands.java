package io.streamlearn.cli;

import io.streamlearn.config.Settings;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A command made of subcommands ({@code models list}, {@code tail predictions}, {@code bench
 * engine}): picks one by its first argument and runs it with the rest. Every level answers alike:
 * {@code -h}/{@code --help} prints the usage on standard output and exits 0; a missing or unknown
 * subcommand is a {@link UsageException} that names the nearest one ("did you mean").
 */
public final class Subcommands implements Command {
  private final String name;
  private final String summary;
  private final String synopsis;
  private final ConfigDef options;
  private final Map<String, Command> commands = new LinkedHashMap<>();

  /**
   * @param synopsis the usage line, e.g. {@code streamlearn tail predictions|metrics [options]}
   * @param options the options every subcommand shares, listed by {@code --help}; {@code null}
   *     when each has its own (then {@code <sub> --help} lists them)
   */
  public Subcommands(String name, String summary, String synopsis, ConfigDef options, List<Command> commands) {
    this.name = name;
    this.summary = summary;
    this.synopsis = synopsis;
    this.options = options;
    commands.forEach(c -> this.commands.putIfAbsent(c.name(), c));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String summary() {
    return summary;
  }

  /** The usage line and one line per subcommand. */
  public String usage() {
    StringBuilder sb = new StringBuilder("usage: ").append(synopsis).append("\n\n");
    for (Command c : commands.values()) {
      sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
    }
    return sb.toString().stripTrailing();
  }

  /** The subcommand a word names; a {@link UsageException} with the nearest name if none. */
  public Command find(String word) {
    Command command = commands.get(word);
    if (command == null) {
      throw new UsageException("unknown command '" + word + "'"
          + Settings.closest(commands.keySet(), word).map(c -> " (did you mean " + c + "?)").orElse("")
          + "\n\n" + usage());
    }
    return command;
  }

  @Override
  public int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    if (args.isEmpty()) {
      throw new UsageException("a command is missing\n\n" + usage());
    }
    String first = args.get(0);
    if (first.startsWith("-")) {
      if (Settings.asksForHelp(List.of(first))) {
        out.println(options == null ? usage() + "\n\n'" + synopsisHead() + " <command> --help' lists its options."
            : Settings.help(usage(), options));
        return Main.OK;
      }
      throw new UsageException("expected a command before the options, found '" + first + "'\n\n" + usage());
    }
    Command command = find(first);
    try {
      return command.run(args.subList(1, args.size()), env, out);
    } catch (UsageException e) {
      throw new UsageException((command.name() + " " + e.subcommand()).strip(), e.getMessage());
    } catch (ConfigException | IllegalArgumentException e) {
      // so that Main names the subcommand too: 'streamlearn bench registry: ...'
      throw new UsageException(command.name(), e.getMessage());
    }
  }

  private String synopsisHead() {
    int space = synopsis.indexOf(' ', synopsis.indexOf(' ') + 1);
    return space < 0 ? synopsis : synopsis.substring(0, space);
  }
}
