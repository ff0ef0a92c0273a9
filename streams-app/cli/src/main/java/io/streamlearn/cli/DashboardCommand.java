package io.streamlearn.cli;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.app.OpsServer;
import io.streamlearn.dashboard.Dashboard;
import io.streamlearn.dashboard.DashboardConfig;
import io.streamlearn.dashboard.DashboardSettings;
import io.streamlearn.dashboard.LiveDashboard;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code streamlearn dashboard}: the web dashboard of one model against a running cluster (the
 * compose stack's {@code dashboard} service). Runs until stopped. Its port also serves the JVM's
 * meters at {@code /metrics}, for the stack's Prometheus.
 */
final class DashboardCommand {
  private DashboardCommand() {}

  static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    DashboardSettings settings = DashboardConfig.fromArgs(args, env).settings();
    Map<String, Object> client = settings.kafka().clientProperties();
    KafkaSupport.ensureTopics(client, settings.topics().replicationFactor(),
        settings.feedTopics().specs(settings.topics().partitions()));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "dashboard-shutdown"));
    try (LiveDashboard live = LiveDashboard.start(client, settings.feedTopics(), settings.model(),
             settings.readOnly(), Duration.ofMinutes(5));
         Dashboard.Server server = live.serve(settings.httpHost(), settings.httpPort(), settings.token());
         OpsServer ops = mountMetrics(server)) {
      out.println("dashboard of model " + live.state().model() + ": " + server.url());
      stop.await();
    }
    return Main.OK;
  }

  /** Serves the process's meters at {@link OpsServer#METRICS_PATH} on the dashboard's own port. */
  static OpsServer mountMetrics(Dashboard.Server server) {
    return new OpsServer("dashboard", server.routes());
  }
}
