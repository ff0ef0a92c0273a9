package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.dashboard.LiveDashboard;
import io.streamlearn.registry.http.RegistryServer;
import io.streamlearn.testkit.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ./streamlearn registry} also serves the dashboard, read-only behind a token. */
class RegistryDashboardIT {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void dashboardAndApiShareThePortAndTheTokenKeepsTheDashboardReadOnly() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      RegistryConfig config = RegistryConfig.fromArgs(List.of("--bootstrap-servers", kafka.bootstrapServers(),
          "--http-port", "0", "--model-name", "blobs", "--registry-token", "s3cret"), Map.of());
      try (RegistryServer server = RegistryCommand.start(config.settings());
           LiveDashboard dashboard = RegistryCommand.mountDashboard(config.settings(), server)) {
        String base = "http://localhost:" + server.port();
        assertEquals(200, get(base + "/api/models").statusCode(), "the registry API still answers");
        HttpResponse<String> page = get(base + "/dashboard/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<html"), "the dashboard page: " + page.body().substring(0, 80));
        assertEquals(200, get(base + "/dashboard/api/state").statusCode());
        HttpResponse<String> promote = http.send(HttpRequest.newBuilder(URI.create(base + "/dashboard/api/promote"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"alias\": \"live\", \"version\": 1}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertTrue(promote.statusCode() >= 400, "promote through the dashboard is refused behind a token, got "
            + promote.statusCode() + " " + promote.body());
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
}
