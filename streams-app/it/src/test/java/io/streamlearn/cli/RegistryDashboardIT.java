package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.app.OpsServer;
import io.streamlearn.it.PrometheusText;
import io.streamlearn.dashboard.LiveDashboard;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.http.RegistryServer;
import io.streamlearn.testkit.Await;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.RandomModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ./streamlearn registry} also serves the dashboard, on the same routes: one token protects
 * the API's writes and the dashboard's promote, and one health answer covers both; the same port
 * serves {@code /metrics} for Prometheus.
 */
class RegistryDashboardIT {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void dashboardAndApiShareThePortTheTokenAndTheHealthAnswer() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      RegistryConfig config = RegistryConfig.fromArgs(List.of("--bootstrap-servers", kafka.bootstrapServers(),
          "--http-port", "0", "--model-name", "blobs", "--registry-token", "s3cret"), Map.of());
      try (RegistryServer server = RegistryCommand.start(config.settings());
           OpsServer ops = RegistryCommand.mountMetrics(server);
           LiveDashboard dashboard = RegistryCommand.mountDashboard(config.settings(), server)) {
        String base = "http://localhost:" + server.port();
        assertEquals(200, get(base + "/api/models").statusCode(), "the registry API still answers");
        // the registry's port serves /metrics, which parses as Prometheus text with the JVM's families
        PrometheusText metrics = PrometheusText.scrape(base);
        metrics.family("jvm_memory_used_bytes");
        assertEquals("registry", metrics.family("process_uptime_seconds").samples().get(0).labels().get("application"),
            "its samples name the application: " + metrics.family("process_uptime_seconds"));
        HttpResponse<String> page = get(base + "/dashboard/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<html"), "the dashboard page: " + page.body().substring(0, 80));
        assertEquals(200, get(base + "/dashboard/api/state").statusCode());
        for (String path : List.of("/api/health", "/dashboard/api/health")) {
          HttpResponse<String> health = get(base + path);
          assertEquals(200, health.statusCode(), path + ": " + health.body());
          JsonNode body = json.readTree(health.body());
          assertEquals("UP", body.get("status").asText(), path + ": " + health.body());
          assertEquals("UP", body.path("components").path("registry").asText(), path + ": " + health.body());
          assertEquals("UP", body.path("components").path("dashboard").asText(), path + ": " + health.body());
        }

        server.registry().publish(RandomModels.random("blobs", 1, 4, "dense(3,softmax)", 1, Map.of()));
        Await.until(() -> dashboard.state().hasVersion(1), Duration.ofSeconds(30), () -> "the dashboard reads version 1");
        String promote = "{\"alias\": \"live\", \"version\": 1}";
        HttpResponse<String> refused = post(base + "/dashboard/api/promote", promote, null);
        assertEquals(401, refused.statusCode(), "promote through the dashboard needs the token: " + refused.body());
        assertEquals(401, post(base + "/dashboard/api/promote", promote, "Bearer wrong").statusCode());
        server.registry().sync();
        assertFalse(server.registry().aliases("blobs").containsKey("live"), "a refused promote moves nothing");
        HttpResponse<String> moved = post(base + "/dashboard/api/promote", promote, "Bearer s3cret");
        assertEquals(200, moved.statusCode(), "with the token the dashboard moves the alias: " + moved.body());
        Await.until(() -> {
          server.registry().sync();
          AliasMove live = server.registry().aliases("blobs").get("live");
          return live != null && live.version() == 1;
        }, Duration.ofSeconds(30), () -> "the registry sees live on version 1: " + server.registry().aliases("blobs"));
      }
      RegistryConfig off = RegistryConfig.fromArgs(List.of("--bootstrap-servers", kafka.bootstrapServers(),
          "--http-port", "0", "--dashboard", "false"), Map.of());
      try (RegistryServer server = RegistryCommand.start(off.settings())) {
        assertNull(RegistryCommand.mountDashboard(off.settings(), server), "--dashboard false mounts nothing");
        assertEquals(404, get("http://localhost:" + server.port() + "/dashboard/").statusCode());
      }
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String body, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
