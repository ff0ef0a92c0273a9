package io.streamlearn.tools;

import io.streamlearn.bench.EngineBench;
import io.streamlearn.bench.InferenceBench;
import io.streamlearn.bench.RegistryBench;
import io.streamlearn.bench.TrainerBench;
import io.streamlearn.cli.Command;
import io.streamlearn.cli.Main;
import io.streamlearn.demo.Demo;
import io.streamlearn.demo.DemoConfig;
import io.streamlearn.learn.NativeSetup;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the tools jar: every command of the services' launcher ({@link Main}) plus the
 * ones that bring their own broker or data (demo, benches, produce). {@code ./streamlearn} runs
 * this jar for those three and the services' jar for the rest.
 */
public final class ToolsMain {
  /** The commands this module adds to the launcher. */
  static final List<Command> TOOLS = List.of(
      Command.of("demo", "everything in one JVM: embedded Kafka, a generated stream, trainer, inference",
          (args, env, out) -> args.contains("--help")
              ? Main.help(out, "streamlearn demo [options]", DemoConfig.DEF)
              : demo(DemoConfig.fromArgs(args, env), out)),
      Command.of("bench", "benchmarks: 'bench engine' (learning engine vs PyTorch), 'bench inference',"
          + " 'bench registry', 'bench trainer'", ToolsMain::bench),
      Command.of("produce", "send events from CSV, JSON lines, IDX files or a generator",
          ProduceCommand::run));

  private ToolsMain() {}

  /** Runs a command and exits with its status, with the services' native set-up (see {@code Main}). */
  public static void main(String[] args) {
    NativeSetup.applyDefaults();
    System.exit(run(List.of(args), System.getenv(), System.out));
  }

  /** Runs any launcher command; returns the exit status. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) {
    return Main.run(args, env, out, TOOLS);
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
      return Main.OK;
    } finally {
      done.countDown();
    }
  }

  private static int bench(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    String which = args.isEmpty() ? "" : args.get(0);
    List<String> rest = args.isEmpty() ? args : args.subList(1, args.size());
    switch (which) {
      case "trainer" -> {
        TrainerBench.run(rest, env, out);
        return Main.OK;
      }
      case "inference" -> {
        return InferenceBench.run(rest, out);
      }
      case "registry" -> {
        return RegistryBench.run(rest, out);
      }
      case "engine" -> {
        EngineBench.main(rest.toArray(String[]::new));
        return Main.OK;
      }
      default -> {
        out.println("usage: streamlearn bench engine|inference|registry|trainer [options]");
        return Main.USAGE;
      }
    }
  }
}
