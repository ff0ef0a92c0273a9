package io.streamlearn.cli;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.app.OpsServer;
import io.streamlearn.dashboard.DashboardFeed;
import io.streamlearn.dashboard.LiveDashboard;
import io.streamlearn.onnx.OnnxRoutes;
import io.streamlearn.registry.http.RegistryServer;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code streamlearn registry}: the registry service with its REST API, until Ctrl-C. The same port
 * answers health and serves the service's meters at {@code /metrics}, so a platform probes and
 * scrapes it like {@code train} and {@code serve}.
 */
final class RegistryCommand {
  /** The usage line of {@code --help}. */
  static final String USAGE = "streamlearn registry [options]\n\n"
      + "Serves the model registry as JSON over HTTP (see README, 'The registry').";

  private RegistryCommand() {}

  static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    RegistrySettings settings = RegistryConfig.fromArgs(args, env).settings();
    RegistryServer server = start(settings);
    OpsServer ops = mountMetrics(server);
    LiveDashboard dashboard = mountDashboard(settings, server);
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
        ops.close();
        stop.countDown();
      }
    }, "registry-shutdown"));
    String host = settings.server().host();
    String base = "http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + server.port();
    out.println("registry API on " + base + "/api/models");
    if (dashboard != null) {
      out.println("dashboard of model " + dashboard.state().model() + " on " + base + "/dashboard/");
    }
    stop.await();
    return Main.OK;
  }

  /**
   * Serves the registry's meters (JVM and process) at {@link OpsServer#METRICS_PATH} on its own
   * routes: one port for the API, health and metrics, no second server. Close it after the server.
   */
  static OpsServer mountMetrics(RegistryServer server) {
    return new OpsServer("registry", server.routes());
  }

  /**
   * Serves the dashboard of {@code model.name} under {@code /dashboard/} on the registry's routes:
   * its promote is a write like the API's, so it needs the token whenever one is set. Returns
   * {@code null} when {@code dashboard} is off.
   */
  static LiveDashboard mountDashboard(RegistrySettings settings, RegistryServer server)
      throws InterruptedException {
    if (!settings.dashboard()) {
      return null;
    }
    Map<String, Object> client = settings.server().clientProperties();
    DashboardFeed.Topics topics = settings.dashboardTopics();
    KafkaSupport.ensureTopics(client, settings.topics().replicationFactor(),
        topics.specs(settings.topics().partitions()));
    LiveDashboard live = LiveDashboard.start(client, topics, settings.model(), false, Duration.ofMinutes(5));
    live.mount(server.routes(), "/dashboard/");
    return live;
  }

  /** Creates the registry topic if missing and starts the service, with the export route of {@link OnnxRoutes}. */
  static RegistryServer start(RegistrySettings settings) throws IOException {
    RegistryServer.Config server = settings.server();
    KafkaSupport.ensureTopics(server.clientProperties(), settings.topics().replicationFactor(),
        List.of(KafkaSupport.registryTopic(server.topic())));
    RegistryServer registry = new RegistryServer(server);
    OnnxRoutes.addTo(registry.routes(), registry.registry());
    return registry.start();
  }
}
