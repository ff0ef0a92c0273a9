package io.streamlearn.cli;

import io.streamlearn.config.Settings;
import io.streamlearn.demo.Demo;
import io.streamlearn.demo.DemoConfig;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.io.PrintStream;
import java.time.Duration;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Entry point of the {@code streamlearn} launcher. */
public final class Main {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final String USAGE_TEXT = """
      usage: streamlearn <command> [options]

      commands:
        demo     everything in one JVM: embedded Kafka, a generated stream, trainer, inference
        train    the continuous trainer, against a Kafka cluster
        serve    the inference service (Kafka Streams), against a Kafka cluster
        bench    benchmarks: 'bench engine' (learning engine vs PyTorch), 'bench inference',
                 'bench registry', 'bench trainer'
        registry the model registry's REST API (versions, aliases, promote, rollback)
        models   the registry from the command line: list|show|promote|rollback|export|diff
        dashboard  the web dashboard (learning curves, versions, promote) of a running cluster
        produce  send events from CSV, JSON lines, IDX files or a generator
        tail     print predictions (or the training history) as they arrive: 'tail predictions'

      'streamlearn <command> --help' lists the command's options.""";

  private Main() {}

  /** Runs a command and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(List.of(args), System.getenv(), System.out));
  }

  /** Runs a command; returns the exit status. */
  static int run(List<String> args, Map<String, String> env, PrintStream out) {
    if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("help")) {
      out.println(USAGE_TEXT);
      return args.isEmpty() ? USAGE : OK;
    }
    String command = args.get(0);
    List<String> rest = args.subList(1, args.size());
    try {
      return switch (command) {
        case "demo" -> rest.contains("--help") ? help(out, "streamlearn demo [options]", DemoConfig.DEF)
            : demo(DemoConfig.fromArgs(rest, env), out);
        case "train" -> rest.contains("--help") ? help(out, "streamlearn train [options]", TrainerConfig.DEF)
            : train(TrainerConfig.fromArgs(rest, env));
        case "serve" -> rest.contains("--help") ? help(out, "streamlearn serve [options]", InferenceConfig.DEF)
            : ServeCommand.run(InferenceConfig.fromArgs(rest, env), out);
        case "bench" -> bench(rest, out);
        case "registry" -> RegistryCommand.run(rest, env, out);
        case "models" -> ModelsCommand.run(rest, env, out);
        case "dashboard" -> DashboardCommand.run(rest, env, out);
        case "produce" -> ProduceCommand.run(rest, env, out);
        case "tail" -> TailCommand.run(rest, env, out);
        default -> {
          out.println("unknown command '" + command + "'\n\n" + USAGE_TEXT);
          yield USAGE;
        }
      };
    } catch (ConfigException | IllegalArgumentException e) {
      out.println("streamlearn " + command + ": " + e.getMessage());
      return USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    } catch (Exception e) {
      out.println("streamlearn " + command + " failed: " + e);
      org.slf4j.LoggerFactory.getLogger(Main.class).error("{} failed", command, e);
      return FAILED;
    }
  }

  private static int help(PrintStream out, String usage, ConfigDef def) {
    out.println(Settings.help(usage, def));
    return OK;
  }

  private static int demo(DemoConfig config, PrintStream out) throws Exception {
    Demo demo = new Demo(config, out);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      demo.requestStop();
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Map<String, Object> summary = demo.run();
      out.print(Demo.toJson(summary));
      demo.writeSummary(summary);
      return OK;
    } finally {
      done.countDown();
    }
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

  private static int bench(List<String> rest, PrintStream out) throws Exception {
    if (!rest.isEmpty() && rest.get(0).equals("trainer")) {
      io.streamlearn.train.TrainerBench.run(rest.subList(1, rest.size()), System.getenv(), out);
      return OK;
    }
    if (!rest.isEmpty() && rest.get(0).equals("inference")) {
      return io.streamlearn.serve.bench.InferenceBench.run(rest.subList(1, rest.size()), out);
    }
    if (!rest.isEmpty() && rest.get(0).equals("registry")) {
      return RegistryBench.run(rest.subList(1, rest.size()), out);
    }
    if (rest.isEmpty() || !rest.get(0).equals("engine")) {
      out.println("usage: streamlearn bench engine|inference|registry|trainer [options]");
      return USAGE;
    }
    io.streamlearn.learn.bench.EngineBench.main(rest.subList(1, rest.size()).toArray(String[]::new));
    return OK;
  }

}
