package io.streamlearn.cli;

import io.streamlearn.app.OpsServer;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.serve.InferenceSettings;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code streamlearn serve}: runs an inference instance until the JVM is asked to stop, printing a
 * status line (predictions/s, latency percentiles, served version, swaps, publication to first
 * prediction) every {@code status.interval.ms}. The same figures are at {@code GET /metrics} when
 * {@code --http-port} runs a server, with {@code /health/live} and {@code /health/ready}.
 */
final class ServeCommand {
  private ServeCommand() {}

  static int run(InferenceConfig config, PrintStream out) throws InterruptedException {
    InferenceSettings settings = config.settings();
    OpsServer ops = new OpsServer("inference");
    InferenceService service = new InferenceService(settings, ops);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      ops.close();
      stop.countDown();
    }, "serve-shutdown"));
    OptionalInt port = ops.start(config.http());
    service.start();
    out.printf("serving %s@%s%s from %s to %s (application id %s); %s%n",
        settings.model(), settings.alias(), settings.canary() == null ? ""
            : " (" + settings.model() + "@" + settings.canary().alias() + " scores a share "
                + settings.canary().share() + " of the keys)",
        settings.inputTopics(), settings.topics().predictions(),
        settings.applicationId(), port.isPresent()
            ? "metrics at http://" + config.http().host() + ":" + port.getAsInt() + OpsServer.METRICS_PATH
            + ", health at /health/ready and /health/live"
            : "no HTTP server (--http-port -1)");
    long interval = settings.statusIntervalMs();
    if (interval == 0) {
      stop.await();
      return Main.OK;
    }
    while (!stop.await(interval, TimeUnit.MILLISECONDS)) {
      out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + service.state() + " | "
          + service.metrics().statusLine());
    }
    return Main.OK;
  }
}
