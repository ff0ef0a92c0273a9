package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.OpsServer;
import io.streamlearn.dashboard.Dashboard;
import io.streamlearn.dashboard.DashboardState;
import io.streamlearn.registry.http.Health;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code streamlearn dashboard} serves its meters on the dashboard's port, next to its health, so
 * the compose stack's Prometheus scrapes it where it already probes it.
 */
class DashboardCommandTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void theDashboardsPortServesMetricsNamingTheDashboardAndStillAnswersHealth() throws Exception {
    try (Dashboard.Server server = Dashboard.serve(new Dashboard(new DashboardState("m", () -> 0L), null),
             "127.0.0.1", 0, Optional.empty());
         OpsServer ops = DashboardCommand.mountMetrics(server)) {
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> metrics = get(base + OpsServer.METRICS_PATH);
      assertEquals(200, metrics.statusCode(), metrics.body());
      assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
          "Prometheus text: " + metrics.headers().map());
      assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("process_uptime_seconds{")
              && l.contains("application=\"dashboard\"")),
          "the process's meters, tagged with the application: " + metrics.body().lines().limit(5).toList());
      assertEquals(200, get(base + Health.READY_PATH).statusCode(), "health is still answered on the same routes");
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
