package io.streamlearn.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import io.streamlearn.registry.http.JsonHttpServer;
import io.streamlearn.registry.http.Routes;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's page and API on the project's HTTP stack ({@link Routes}, {@link JsonHttpServer}). */
class DashboardTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final DashboardState state = new DashboardState("m", clock::get);
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private AliasMover mover;

  @BeforeEach
  void aStateWithVersionOne() {
    state.onRegistry(new RegistryCodec.VersionEntry(RegistryKey.version("m", 1), DashboardStateTest.version(1, 100)));
    // a producer that never connects: these tests only make promotions that are refused first
    mover = new AliasMover(state, Map.of("bootstrap.servers", "127.0.0.1:1"), "models");
  }

  @AfterEach
  void closeTheMover() {
    mover.close();
  }

  @Test
  void theHttpApiServesStateAndRefusesBadPromotions() throws Exception {
    Routes routes = new Routes();
    new Dashboard(state, mover).mount(routes, "/dash");
    new Dashboard(state, null).mount(routes, "/ro/");
    try (JsonHttpServer server = new JsonHttpServer(new InetSocketAddress("127.0.0.1", 0), routes, Optional.empty())) {
      server.start();
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> page = send("GET", base + "/dash/", null, null);
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("promote-button") && page.body().contains("dashboard.js"), "the page");
      HttpResponse<String> js = send("GET", base + "/dash/dashboard.js", null, null);
      assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
      JsonNode s = json.readTree(send("GET", base + "/dash/api/state", null, null).body());
      assertEquals("m", s.get("model").asText());
      assertEquals(1, s.get("versions").get(0).get("version").asInt());
      assertEquals(404, send("GET", base + "/dash/../secret", null, null).statusCode());
      assertEquals(404, send("GET", base + "/dash/nothing.js", null, null).statusCode());
      assertEquals(405, send("GET", base + "/dash/api/promote", null, null).statusCode());
      assertEquals(400, send("POST", base + "/dash/api/promote", "not json", null).statusCode());
      assertEquals(400, send("POST", base + "/dash/api/promote", "{\"alias\": \"live\"}", null).statusCode());
      assertEquals(400, send("POST", base + "/dash/api/promote", "{\"alias\": \"live\", \"version\": 9}", null)
          .statusCode(), "a version the registry does not hold");
      HttpResponse<String> badAlias = send("POST", base + "/dash/api/promote", "{\"alias\": \"a@b\", \"version\": 1}",
          null);
      assertEquals(400, badAlias.statusCode(), "an invalid alias");
      assertTrue(json.readTree(badAlias.body()).get("error").isTextual(), "errors are JSON: " + badAlias.body());
      assertEquals(403, send("POST", base + "/ro/api/promote", "{\"alias\": \"live\", \"version\": 1}", null)
          .statusCode(), "a read-only dashboard");
      assertEquals(0, state.aliasVersion("live"), "nothing moved");
    }
  }

  @Test
  void withATokenPromoteWithoutItIs401AndMovesNothingWhileThePageAndStateStayOpen() throws Exception {
    try (Dashboard.Server server = Dashboard.serve(new Dashboard(state, mover), "127.0.0.1", 0,
        Optional.of("s3cret"))) {
      String base = "http://127.0.0.1:" + server.port();
      String body = "{\"alias\": \"live\", \"version\": 9}";
      HttpResponse<String> refused = send("POST", base + "/api/promote", body, null);
      assertEquals(401, refused.statusCode(), refused.body());
      assertTrue(json.readTree(refused.body()).get("error").isTextual(), refused.body());
      assertEquals(401, send("POST", base + "/api/promote", body, "Bearer wrong").statusCode());
      assertEquals(400, send("POST", base + "/api/promote", body, "Bearer s3cret").statusCode(),
          "with the token the request reaches the dashboard, which refuses the unknown version");
      assertEquals(0, state.aliasVersion("live"), "nothing moved");
      assertEquals(200, send("GET", base + "/", null, null).statusCode(), "the page needs no token");
      assertEquals(200, send("GET", base + "/api/state", null, null).statusCode(), "reads need no token");
    }
  }

  @Test
  void healthIsTheServersOneAnswerAtTheRootAndUnderThePrefix() throws Exception {
    Routes routes = new Routes();
    new Dashboard(state, null).mount(routes, "/dashboard/");
    routes.health().add("registry", () -> true);
    try (JsonHttpServer server = new JsonHttpServer(new InetSocketAddress("127.0.0.1", 0), routes, Optional.empty());
         Dashboard.Server alone = Dashboard.serve(new Dashboard(state, null), "127.0.0.1", 0)) {
      server.start();
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> root = send("GET", base + "/api/health", null, null);
      HttpResponse<String> prefixed = send("GET", base + "/dashboard/api/health", null, null);
      assertEquals(200, root.statusCode());
      assertEquals(root.body(), prefixed.body(), "one answer under the dashboard's prefix too");
      assertEquals("UP", json.readTree(root.body()).path("components").path("registry").asText(), root.body());
      routes.health().add("dashboard", () -> false);
      assertEquals(503, send("GET", base + "/dashboard/api/health", null, null).statusCode(), "a component is down");

      HttpResponse<String> standalone = send("GET", "http://127.0.0.1:" + alone.port() + "/api/health", null, null);
      assertEquals(200, standalone.statusCode());
      assertEquals("UP", json.readTree(standalone.body()).get("status").asText(), standalone.body());
    }
  }

  private HttpResponse<String> send(String method, String url, String body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
