package io.streamlearn.tools;

import io.streamlearn.bench.EngineBench;
import io.streamlearn.bench.FeaturesBench;
import io.streamlearn.bench.GroupEfficiencyBench;
import io.streamlearn.bench.InferenceBench;
import io.streamlearn.bench.OnnxBench;
import io.streamlearn.bench.RawTrainerBench;
import io.streamlearn.bench.RegistryBench;
import io.streamlearn.bench.SparseBench;
import io.streamlearn.bench.TrainerBench;
import io.streamlearn.cli.Command;
import io.streamlearn.cli.Main;
import io.streamlearn.cli.Subcommands;
import io.streamlearn.demo.Demo;
import io.streamlearn.demo.DemoConfig;
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
  /** {@code streamlearn bench <which>}: each bench parses its own options like every command. */
  static final Command BENCH = new Subcommands("bench",
      "benchmarks: 'bench engine' (learning engine vs PyTorch), 'bench onnx' (forward pass vs ONNX Runtime),"
          + " 'bench features' (feature pipeline on Flights vs scikit-learn), 'bench inference', 'bench registry',"
          + " 'bench trainer' (--group-members N: a trainer group), 'bench group-efficiency', 'bench raw-trainer',"
          + " 'bench sparse'",
      "streamlearn bench engine|onnx|features|inference|registry|trainer|group-efficiency|raw-trainer|sparse [options]",
      null, List.of(
          Command.withOptions("engine", "the learning engine against PyTorch on Fashion-MNIST, one thread each",
              "streamlearn bench engine [options]", EngineBench.DEF, EngineBench::run),
          Command.withOptions("onnx", "the engine's forward pass against ONNX Runtime on the same exported model,"
              + " one thread each, batch 1 and 64", "streamlearn bench onnx [options]", OnnxBench.DEF, OnnxBench::run),
          Command.withOptions("features", "decode + featurize throughput and prequential quality on Flights, next to scikit-learn",
              "streamlearn bench features [options]", FeaturesBench.DEF, FeaturesBench::run),
          Command.withOptions("inference", "inference throughput, latency and swaps on an embedded broker",
              "streamlearn bench inference [options]", InferenceBench.DEF, InferenceBench::run),
          Command.withOptions("registry", "publish, rebuild and promote-to-served times on an embedded broker",
              "streamlearn bench registry [options]", RegistryBench.DEF, RegistryBench::run),
          Command.withOptions("raw-trainer", "the trainer over raw Flights JSON records next to the raw consumer",
              "streamlearn bench raw-trainer [options]", RawTrainerBench.DEF, RawTrainerBench::run),
          Command.withOptions("trainer", "trainer throughput end to end next to the raw consumer and the engine",
              "streamlearn bench trainer [options]", TrainerBench.DEF, TrainerBench::run),
          Command.withOptions("group-efficiency", "trainer groups of 1, 2 and 4 against one trainer: prequential,"
                  + " hold-out and test accuracy on Fashion-MNIST (MLP and CNN, each group.combine)",
              "streamlearn bench group-efficiency [options]", GroupEfficiencyBench.DEF, GroupEfficiencyBench::run),
          Command.withOptions("sparse", "sparse inputs and embeddings against the one-hot dense path, one thread",
              "streamlearn bench sparse [options]", SparseBench.DEF, SparseBench::run)));

  /** The commands this module adds to the launcher. */
  static final List<Command> TOOLS = List.of(
      Command.withOptions("demo", "everything in one JVM: embedded Kafka, a generated stream, trainer, inference",
          "streamlearn demo [options]", DemoConfig.DEF, (args, env, out) -> demo(DemoConfig.fromArgs(args, env), out)),
      BENCH,
      Command.withOptions("produce", "send events from CSV, JSON lines, IDX files or a generator",
          "streamlearn produce [options]", ProduceConfig.DEF, ProduceCommand::run));

  private ToolsMain() {}

  /** Runs a command and exits with its status, as {@link Main#launch} does the services'. */
  public static void main(String[] args) {
    System.exit(Main.launch(args, TOOLS));
  }

  /** Runs any launcher command with both streams on one, as a terminal shows them; returns the exit status. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) {
    return run(args, env, out, out);
  }

  /** Runs any launcher command, results on {@code out} and errors on {@code err}; returns the exit status. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    return Main.run(args, env, out, err, TOOLS);
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
}
