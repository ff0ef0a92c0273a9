package io.streamlearn.cli;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.dashboard.DashboardFeed;
import io.streamlearn.dashboard.LiveDashboard;
import io.streamlearn.registry.PromotionPolicy;
import io.streamlearn.registry.http.RegistryServer;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** {@code streamlearn registry}: the registry service with its REST API, until Ctrl-C. */
final class RegistryCommand {
  private RegistryCommand() {}

  static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    if (args.contains("--help")) {
      out.println(Settings.help("streamlearn registry [options]\n\n"
          + "Serves the model registry as JSON over HTTP (see README, 'The registry').", RegistryConfig.DEF));
      return Main.OK;
    }
    RegistryConfig config = RegistryConfig.fromArgs(args, env);
    RegistryServer server = start(config);
    LiveDashboard dashboard = mountDashboard(config, server);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (dashboard != null) {
          dashboard.close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        server.close();
        stop.countDown();
      }
    }, "registry-shutdown"));
    String host = config.getString(RegistryConfig.HTTP_HOST);
    String base = "http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + server.port();
    out.println("registry API on " + base + "/api/models");
    if (dashboard != null) {
      out.println("dashboard of model " + dashboard.state().model() + " on " + base + "/dashboard/");
    }
    stop.await();
    return Main.OK;
  }

  /**
   * Serves the dashboard of {@code model.name} under {@code /dashboard/} on the registry's port.
   * Its promote button writes alias moves without the API's token check, so it is read-only
   * whenever a token protects the API. Returns {@code null} when {@code dashboard} is off.
   */
  static LiveDashboard mountDashboard(RegistryConfig config, RegistryServer server)
      throws InterruptedException {
    if (!config.getBoolean(RegistryConfig.DASHBOARD)) {
      return null;
    }
    Map<String, Object> client = KafkaSupport.clientProperties(
        config.getString(CommonKeys.BOOTSTRAP_SERVERS), config.kafkaProperties());
    DashboardFeed.Topics topics = DashboardFeed.Topics.of(config.topicSettings());
    KafkaSupport.ensureTopics(client, config.getShort(CommonKeys.REPLICATION_FACTOR),
        topics.specs(config.getInt(CommonKeys.TOPIC_PARTITIONS)));
    boolean readOnly = !config.getPassword(RegistryConfig.TOKEN).value().isEmpty();
    LiveDashboard live = LiveDashboard.start(client, topics,
        config.getString(CommonKeys.MODEL_NAME), readOnly, Duration.ofMinutes(5));
    live.mount(server.httpServer(), "/dashboard/");
    return live;
  }

  /** Creates the registry topic if missing and starts the service. */
  static RegistryServer start(RegistryConfig config) throws IOException {
    Map<String, Object> client = KafkaSupport.clientProperties(
        config.getString(CommonKeys.BOOTSTRAP_SERVERS), config.kafkaProperties());
    String topic = config.getString(CommonKeys.MODELS_TOPIC);
    KafkaSupport.ensureTopics(client, config.getShort(CommonKeys.REPLICATION_FACTOR),
        List.of(KafkaSupport.registryTopic(topic)));
    String metric = config.getString(RegistryConfig.PROMOTION_METRIC);
    Optional<PromotionPolicy> policy = config.getBoolean(RegistryConfig.PROMOTION_AUTO)
        ? Optional.of(new PromotionPolicy(metric, config.getDouble(RegistryConfig.PROMOTION_MARGIN),
            PromotionPolicy.higherIsBetter(metric), config.getString(RegistryConfig.PROMOTION_ALIAS)))
        : Optional.empty();
    String token = config.getPassword(RegistryConfig.TOKEN).value();
    RegistryServer server = new RegistryServer(new RegistryServer.Config(client, topic,
        config.getString(RegistryConfig.HTTP_HOST), config.getInt(RegistryConfig.HTTP_PORT),
        token.isEmpty() ? Optional.empty() : Optional.of(token), policy,
        config.getInt(RegistryConfig.RETENTION_KEEP_LAST), config.getBoolean(RegistryConfig.RECORD_FOREIGN_MOVES),
        config.getInt(RegistryConfig.MAX_RECORD_BYTES)));
    return server.start();
  }
}
