package io.streamlearn.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JsonHttpServerTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger writes = new AtomicInteger();

  private Routes routes() {
    return new Routes()
        .get("/api/count", r -> HttpResponse.ok(Map.of("count", writes.get())))
        .add("POST", "/api/count", r -> HttpResponse.ok(Map.of("count", writes.incrementAndGet())))
        .add("DELETE", "/api/count", r -> HttpResponse.ok(Map.of("count", writes.getAndSet(0))));
  }

  @Test
  void withATokenWritesWithoutItAre401AndChangeNothingWhileReadsStayOpen() throws Exception {
    try (JsonHttpServer server = new JsonHttpServer(new InetSocketAddress("127.0.0.1", 0), routes(),
        Optional.of("s3cret"))) {
      server.start();
      String base = "http://127.0.0.1:" + server.port();
      assertEquals(401, send("POST", base + "/api/count", null).statusCode(), "no token");
      assertEquals(401, send("POST", base + "/api/count", "Bearer wrong").statusCode(), "wrong token");
      assertEquals(401, send("DELETE", base + "/api/count", "Basic czNjcmV0").statusCode(), "not a bearer token");
      assertEquals(0, writes.get(), "refused writes changed nothing");
      var refused = send("POST", base + "/api/count", null);
      assertTrue(json.readTree(refused.body()).get("error").asText().contains("Authorization"),
          "the error says what is missing: " + refused.body());
      assertEquals("Bearer realm=\"streamlearn\"", refused.headers().firstValue("WWW-Authenticate").orElse(""));

      assertEquals(200, send("GET", base + "/api/count", null).statusCode(), "reads need no token");
      assertEquals(200, send("GET", base + "/api/health", null).statusCode(), "health needs no token");
      var accepted = send("POST", base + "/api/count", "Bearer s3cret");
      assertEquals(200, accepted.statusCode(), accepted.body());
      assertEquals(1, writes.get());
    }
  }

  @Test
  void withoutATokenWritesAreOpenAndErrorsAreJsonWithTheirStatus() throws Exception {
    try (JsonHttpServer server = new JsonHttpServer(new InetSocketAddress("127.0.0.1", 0), routes(),
        Optional.empty())) {
      server.start();
      String base = "http://127.0.0.1:" + server.port();
      assertEquals(200, send("POST", base + "/api/count", null).statusCode());
      assertEquals(1, writes.get());
      var missing = send("GET", base + "/api/nothing", null);
      assertEquals(404, missing.statusCode());
      assertTrue(json.readTree(missing.body()).get("error").isTextual(), missing.body());
      var method = send("PUT", base + "/api/count", null);
      assertEquals(405, method.statusCode());
      assertEquals("GET, POST, DELETE", method.headers().firstValue("Allow").orElse(""));
      var health = send("GET", base + "/api/health", null);
      JsonNode body = json.readTree(health.body());
      assertEquals("UP", body.get("status").asText(), health.body());
      assertEquals("no-store", health.headers().firstValue("Cache-Control").orElse(""));
      var head = send("HEAD", base + "/api/health", null);
      assertEquals(200, head.statusCode(), "HEAD answers as GET");
      assertEquals("", head.body(), "without a body");
    }
  }

  @Test
  void theJdkServerIsToldToSendAnswersWithoutNaglesDelay() throws Exception {
    // The JDK server reads sun.net.httpserver.nodelay once, when its first server is created: by then
    // this class has set it (a small answer's body would otherwise wait for the client's delayed ACK).
    try (JsonHttpServer server = new JsonHttpServer(new InetSocketAddress("127.0.0.1", 0), routes(),
        Optional.empty())) {
      assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"));
    }
  }

  private java.net.http.HttpResponse<String> send(String method, String url, String authorization)
      throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(URI.create(url))
        .method(method, method.equals("GET") || method.equals("HEAD") ? BodyPublishers.noBody()
            : BodyPublishers.ofString("{}"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), BodyHandlers.ofString());
  }
}
