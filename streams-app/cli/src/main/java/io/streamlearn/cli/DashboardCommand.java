package io.streamlearn.cli;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.dashboard.Dashboard;
import io.streamlearn.dashboard.DashboardConfig;
import io.streamlearn.dashboard.LiveDashboard;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code streamlearn dashboard}: the web dashboard of one model against a running cluster (the
 * compose stack's {@code dashboard} service). Runs until stopped.
 */
final class DashboardCommand {
  private DashboardCommand() {}

  static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    DashboardConfig config = DashboardConfig.fromArgs(args, env);
    Map<String, Object> client = KafkaSupport.clientProperties(
        config.getString(CommonKeys.BOOTSTRAP_SERVERS), config.kafkaProperties());
    KafkaSupport.ensureTopics(client, config.getShort(CommonKeys.REPLICATION_FACTOR),
        config.topics().specs(config.getInt(CommonKeys.TOPIC_PARTITIONS)));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "dashboard-shutdown"));
    try (LiveDashboard live = LiveDashboard.start(client, config.topics(),
             config.getString(CommonKeys.MODEL_NAME), config.getBoolean(DashboardConfig.READ_ONLY),
             Duration.ofMinutes(5));
         Dashboard.Server server = live.serve(config.getString(DashboardConfig.HTTP_HOST),
             config.getInt(DashboardConfig.HTTP_PORT), config.token())) {
      out.println("dashboard of model " + live.state().model() + ": " + server.url());
      stop.await();
    }
    return Main.OK;
  }
}
