package io.streamlearn.cli;

import io.streamlearn.app.OpsServer;
import io.streamlearn.config.Settings;
import io.streamlearn.registry.RegistryException;
import io.streamlearn.learn.NativeSetup;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the {@code streamlearn} launcher. What the user asked for goes to standard output;
 * errors, usage after a mistake and warnings go to standard error. The exit status is {@link #OK},
 * {@link #FAILED} when the command ran and failed, or {@link #USAGE} when the command line was
 * wrong (an unknown command or option, a bad value), so scripts can tell the two apart.
 */
public final class Main {
  /** Exit status: done. */
  public static final int OK = 0;
  /** Exit status: the command failed. */
  public static final int FAILED = 1;
  /** Exit status: the command line was wrong. */
  public static final int USAGE = 2;

  // No static Logger: nothing may touch the logging backend before --log-format is applied.
  private static final String FOOTER = "\n\n'streamlearn <command> --help' lists the command's options;"
      + " 'streamlearn --version' prints the version.\n" + LogFormat.HELP;

  /** The services' commands, in the order the usage text lists them. */
  static final List<Command> SERVICES = List.of(
      Command.withOptions("train", "the continuous trainer, against a Kafka cluster",
          "streamlearn train [options]", TrainerConfig.DEF,
          (args, env, out) -> train(TrainerConfig.fromArgs(args, env))),
      Command.withOptions("serve", "the inference service (Kafka Streams), against a Kafka cluster",
          "streamlearn serve [options]", InferenceConfig.DEF,
          (args, env, out) -> ServeCommand.run(InferenceConfig.fromArgs(args, env), out)),
      EvaluateCommand.COMMAND,
      Command.withOptions("registry", "the model registry's REST API (versions, aliases, promote, rollback)",
          RegistryCommand.USAGE, RegistryConfig.DEF, RegistryCommand::run),
      ModelsCommand.COMMAND,
      Command.withOptions("dashboard", "the web dashboard (learning curves, versions, promote) of a running cluster",
          "streamlearn dashboard [options]", io.streamlearn.dashboard.DashboardConfig.DEF, DashboardCommand::run),
      TailCommand.COMMAND,
      Command.of("version", "print the version of streamlearn and the BLAS its engine runs on", (args, env, out) -> {
        out.println("streamlearn " + version());
        out.println("BLAS: " + NativeSetup.blasInUse().summary());
        return OK;
      }));

  private Main() {}

  /** Runs a command and exits with its status. */
  public static void main(String[] args) {
    System.exit(launch(args, List.of()));
  }

  /**
   * A launcher's process: runs a command, from the services' and the given extra ones, on the
   * process's streams and environment; returns the exit status. The process's native set-up (which
   * BLAS, how many threads) is the application's to choose, so it is made here, not inside the
   * engine, and after the log format, since it may warn.
   */
  public static int launch(String[] args, List<Command> extra) {
    return run(List.of(args), System.getenv(), System.out, System.err, extra, NativeSetup::applyDefaults);
  }

  /**
   * Runs one of the services' commands with both streams on one, as a terminal shows them;
   * returns the exit status.
   */
  static int run(List<String> args, Map<String, String> env, PrintStream out) {
    return run(args, env, out, out, List.of());
  }

  /** Runs one of the services' commands; returns the exit status. */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    return run(args, env, out, err, List.of());
  }

  /**
   * Runs a command, from the services' and the given extra ones (the tools module's); returns the
   * exit status.
   *
   * @param out what the user asked for: results, help
   * @param err errors, and the usage text after a mistake
   */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                        List<Command> extra) {
    return run(args, env, out, err, extra, () -> { });
  }

  private static int run(List<String> commandLine, Map<String, String> env, PrintStream out, PrintStream err,
                         List<Command> extra, Runnable processSetup) {
    LogFormat.Choice logs;
    try {
      logs = LogFormat.take(commandLine, env);
    } catch (UsageException e) {
      err.println("streamlearn: " + e.getMessage() + FOOTER);
      return USAGE;
    }
    List<String> args = logs.rest();
    logs.format().apply(component(args.isEmpty() ? "" : args.get(0)));
    processSetup.run();
    List<Command> all = new ArrayList<>(extra);
    all.addAll(SERVICES);
    Subcommands launcher = new Subcommands("streamlearn", "the launcher", "streamlearn <command> [options]",
        null, all);
    if (args.isEmpty()) {
      err.println(launcher.usage() + FOOTER);
      return USAGE;
    }
    String name = args.get(0).equals("--version") ? "version" : args.get(0);
    List<String> rest = args.subList(1, args.size());
    if (name.equals("help") && !rest.isEmpty()) {
      // 'streamlearn help models' is 'streamlearn models --help'
      name = rest.get(0);
      rest = List.of("--help");
    } else if (name.equals("help") || Settings.asksForHelp(List.of(name))) {
      out.println(launcher.usage() + FOOTER);
      return OK;
    }
    Command command;
    try {
      command = launcher.find(name);
    } catch (UsageException e) {
      err.println("streamlearn: " + e.getMessage() + FOOTER);
      return USAGE;
    }
    try {
      return command.run(rest, env, out);
    } catch (ConfigException | IllegalArgumentException e) {
      String where = e instanceof UsageException u && !u.subcommand().isEmpty() ? name + " " + u.subcommand() : name;
      err.println("streamlearn " + where + ": "
          + (e instanceof ConfigException c ? Settings.explain(c) : e.getMessage()));
      return USAGE;
    } catch (RegistryException e) {
      // the registry refused (no such version, no earlier alias): the user's answer, not a crash
      err.println("streamlearn " + name + ": " + e.getMessage());
      return FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    } catch (Exception e) {
      err.println("streamlearn " + name + " failed: " + e);
      LoggerFactory.getLogger(Main.class).error("{} failed", name, e);
      return FAILED;
    }
  }

  /**
   * The version of streamlearn: the jar manifest's {@code Implementation-Version}, else the Maven
   * project version the build wrote into {@code version.properties} (running from classes).
   */
  static String version() {
    String fromManifest = Main.class.getPackage().getImplementationVersion();
    if (fromManifest != null) {
      return fromManifest;
    }
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties props = new Properties();
        props.load(in);
        return props.getProperty("version", "unknown");
      }
    } catch (IOException e) {
      LoggerFactory.getLogger(Main.class).debug("no version.properties", e);
    }
    return "unknown";
  }

  /** The part of streamlearn a command runs, for the log lines no package names (Kafka's own). */
  static String component(String command) {
    return switch (command) {
      case "train" -> "trainer";
      case "serve" -> "inference";
      case "registry", "dashboard", "demo", "bench" -> command;
      default -> "cli";
    };
  }

  private static int train(TrainerConfig config) throws InterruptedException {
    OpsServer ops = new OpsServer("trainer");
    Trainer trainer = new Trainer(config, ops);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      trainer.stop();
      try {
        trainer.awaitStopped(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ops.close();
    }, "trainer-shutdown"));
    ops.start(config.http());
    trainer.run();
    return OK;
  }
}
