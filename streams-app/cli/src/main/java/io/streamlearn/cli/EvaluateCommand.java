package io.streamlearn.cli;

import io.streamlearn.app.OpsServer;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
import io.streamlearn.eval.EvaluationSettings;
import io.streamlearn.config.CommonKeys;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code streamlearn evaluate}: runs an evaluation instance until the JVM is asked to stop,
 * printing every ten seconds the served accuracy (leak-free) and the leaked count of the {@value
 * CommonKeys#DEFAULT_ALIAS} alias over this instance's partitions; with {@code --http-port}, its
 * metrics and health over HTTP.
 */
final class EvaluateCommand {
  static final Command COMMAND = Command.withOptions("evaluate",
      "the evaluation service: served predictions joined with their labels, leak-free served metrics",
      "streamlearn evaluate [options]", EvaluationConfig.DEF,
      (args, env, out) -> run(EvaluationConfig.fromArgs(args, env), out));
  private static final long STATUS_INTERVAL_MS = 10_000;

  private EvaluateCommand() {}

  static int run(EvaluationConfig config, PrintStream out) throws InterruptedException {
    EvaluationSettings settings = config.settings();
    OpsServer ops = new OpsServer("evaluation");
    EvaluationService service = new EvaluationService(settings, ops);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      ops.close();
      stop.countDown();
    }, "evaluate-shutdown"));
    OptionalInt port = ops.start(config.http());
    service.start();
    out.printf("evaluating %s: predictions from %s, labels from %s, to %s and %s (application id %s);"
            + " automatic rollback %s; %s%n",
        settings.model(), settings.predictionTopics(), settings.labelsTopic(), settings.evaluationsTopic(),
        settings.servedMetricsTopic(), settings.applicationId(), settings.rollback().enabled() ? "on" : "off",
        port.isPresent()
            ? "metrics at http://" + config.http().host() + ":" + port.getAsInt() + OpsServer.METRICS_PATH
            + ", health at /health/ready and /health/live"
            : "no HTTP server (--http-port -1)");
    while (!stop.await(STATUS_INTERVAL_MS, TimeUnit.MILLISECONDS)) {
      EvaluationService.Served s = service.served(CommonKeys.DEFAULT_ALIAS);
      out.printf("%s %s | %s: %d evaluated, served accuracy %.4f, %d leaked%n",
          LocalTime.now().truncatedTo(ChronoUnit.SECONDS), service.state(), CommonKeys.DEFAULT_ALIAS,
          s.evaluated(), s.accuracy(), s.leaked());
    }
    return Main.OK;
  }
}
