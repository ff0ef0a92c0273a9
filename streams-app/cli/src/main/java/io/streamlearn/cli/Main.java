package io.streamlearn.cli;

import io.streamlearn.config.Settings;
import io.streamlearn.learn.NativeSetup;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.io.PrintStream;
import java.time.Duration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Entry point of the {@code streamlearn} launcher. */
public final class Main {
  /** Exit status: done. */
  public static final int OK = 0;
  /** Exit status: the command failed. */
  public static final int FAILED = 1;
  /** Exit status: the command line was wrong. */
  public static final int USAGE = 2;

  /** The services' commands, in the order the usage text lists them. */
  static final List<Command> SERVICES = List.of(
      Command.of("train", "the continuous trainer, against a Kafka cluster",
          (args, env, out) -> args.contains("--help")
              ? help(out, "streamlearn train [options]", TrainerConfig.DEF)
              : train(TrainerConfig.fromArgs(args, env))),
      Command.of("serve", "the inference service (Kafka Streams), against a Kafka cluster",
          (args, env, out) -> args.contains("--help")
              ? help(out, "streamlearn serve [options]", InferenceConfig.DEF)
              : ServeCommand.run(InferenceConfig.fromArgs(args, env), out)),
      Command.of("registry", "the model registry's REST API (versions, aliases, promote, rollback)",
          RegistryCommand::run),
      Command.of("models", "the registry from the command line: list|show|promote|rollback|export|diff",
          ModelsCommand::run),
      Command.of("dashboard", "the web dashboard (learning curves, versions, promote) of a running cluster",
          DashboardCommand::run),
      Command.of("tail", "print predictions (or the training history) as they arrive: 'tail predictions'",
          TailCommand::run));

  private Main() {}

  /**
   * Runs a command and exits with its status. The process's native set-up (which BLAS, how many
   * threads) is the application's to choose, so it is made here and not inside the engine.
   */
  public static void main(String[] args) {
    NativeSetup.applyDefaults();
    System.exit(run(List.of(args), System.getenv(), System.out, List.of()));
  }

  /** Runs one of the services' commands; returns the exit status. */
  static int run(List<String> args, Map<String, String> env, PrintStream out) {
    return run(args, env, out, List.of());
  }

  /**
   * Runs a command, from the services' and the given extra ones (the tools module's); returns the
   * exit status.
   */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, List<Command> extra) {
    Map<String, Command> commands = new LinkedHashMap<>();
    extra.forEach(c -> commands.put(c.name(), c));
    SERVICES.forEach(c -> commands.putIfAbsent(c.name(), c));
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("help")) {
      out.println(usage(commands.values()));
      return args.isEmpty() ? USAGE : OK;
    }
    String name = args.get(0);
    Command command = commands.get(name);
    if (command == null) {
      out.println("unknown command '" + name + "'\n\n" + usage(commands.values()));
      return USAGE;
    }
    try {
      return command.run(args.subList(1, args.size()), env, out);
    } catch (ConfigException | IllegalArgumentException e) {
      out.println("streamlearn " + name + ": " + e.getMessage());
      return USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    } catch (Exception e) {
      out.println("streamlearn " + name + " failed: " + e);
      org.slf4j.LoggerFactory.getLogger(Main.class).error("{} failed", name, e);
      return FAILED;
    }
  }

  private static String usage(Iterable<Command> commands) {
    StringBuilder sb = new StringBuilder("usage: streamlearn <command> [options]\n\ncommands:\n");
    for (Command c : commands) {
      sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
    }
    return sb.append("\n'streamlearn <command> --help' lists the command's options.").toString();
  }

  /** Prints a command's options; returns {@link #OK}. */
  public static int help(PrintStream out, String usage, ConfigDef def) {
    out.println(Settings.help(usage, def));
    return OK;
  }

  private static int train(TrainerConfig config) throws InterruptedException {
    Trainer trainer = new Trainer(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      trainer.stop();
      try {
        trainer.awaitStopped(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "trainer-shutdown"));
    trainer.run();
    return OK;
  }
}
