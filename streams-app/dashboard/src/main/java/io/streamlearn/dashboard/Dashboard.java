package io.streamlearn.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamlearn.registry.AliasMove;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's web component: a static page (plain HTML, JavaScript and SVG, no build step)
 * and a small JSON API, mountable on any {@link HttpServer} under a path prefix, so the demo and
 * the registry's REST server can both serve it.
 *
 * <p>Routes under the prefix: {@code /} the page (and its {@code .js}/{@code .css});
 * {@code GET api/state} the {@link DashboardState#snapshot()} as JSON (the page polls it every
 * second); {@code POST api/promote} with {@code {"alias": "live", "version": 3}} moves an alias
 * through the {@link AliasMover} and answers with the move; {@code GET api/health} answers
 * {@code {"status": "UP"}}.
 */
public final class Dashboard {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  private static final String STATIC = "/io/streamlearn/dashboard/static/";
  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml");

  private final DashboardState state;
  private final AliasMover mover;
  private final ObjectMapper json = new ObjectMapper();

  /** A dashboard showing {@code state}; {@code mover} may be null for a read-only page. */
  public Dashboard(DashboardState state, AliasMover mover) {
    this.state = state;
    this.mover = mover;
  }

  /**
   * Registers the dashboard's routes on {@code server} under {@code prefix} ({@code "/"} or e.g.
   * {@code "/dashboard"}).
   */
  public void mount(HttpServer server, String prefix) {
    String base = prefix.endsWith("/") ? prefix : prefix + "/";
    if (!base.startsWith("/")) {
      throw new IllegalArgumentException("prefix must start with '/', found '" + prefix + "'");
    }
    server.createContext(base, exchange -> {
      try {
        route(exchange, exchange.getRequestURI().getPath().substring(base.length()), base);
      } catch (IOException e) {
        log.debug("dashboard request {} failed: {}", exchange.getRequestURI(), e.getMessage());
      } finally {
        exchange.close();
      }
    });
  }

  /**
   * Starts an HTTP server on {@code host:port} (port 0: any free port) serving only the dashboard
   * at {@code /}. If the port is taken it falls back to a free one and logs so.
   */
  public static Server serve(Dashboard dashboard, String host, int port) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (java.net.BindException e) {
      log.warn("port {} is taken ({}); the dashboard uses a free port instead", port, e.getMessage());
      server = HttpServer.create(new InetSocketAddress(host, 0), 0);
    }
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "dashboard-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    dashboard.mount(server, "/");
    server.start();
    return new Server(server, executor);
  }

  /** A running HTTP server with the dashboard; {@link #close()} stops it. */
  public static final class Server implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    Server(HttpServer server, ExecutorService executor) {
      this.server = server;
      this.executor = executor;
    }

    /** The port it listens on. */
    public int port() {
      return server.getAddress().getPort();
    }

    /** The URL a browser on this machine opens. */
    public String url() {
      return "http://localhost:" + port() + "/";
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  private void route(HttpExchange exchange, String path, String base) throws IOException {
    String method = exchange.getRequestMethod();
    switch (path) {
      case "api/state" -> sendJson(exchange, 200, state.snapshot());
      case "api/health" -> sendJson(exchange, 200, Map.of("status", "UP", "model", state.model()));
      case "api/promote" -> {
        if (!method.equals("POST")) {
          sendJson(exchange, 405, Map.of("error", "use POST"));
        } else {
          promote(exchange);
        }
      }
      case "" -> sendStatic(exchange, "index.html");
      default -> {
        if (path.matches("[a-z0-9-]+\\.(js|css|html|svg)")) {
          sendStatic(exchange, path);
        } else {
          sendJson(exchange, 404, Map.of("error", "no such page: " + base + path));
        }
      }
    }
  }

  private void promote(HttpExchange exchange) throws IOException {
    if (mover == null) {
      sendJson(exchange, 403, Map.of("error", "this dashboard is read-only"));
      return;
    }
    JsonNode body;
    try (InputStream in = exchange.getRequestBody()) {
      body = json.readTree(in);
    } catch (IOException e) {
      sendJson(exchange, 400, Map.of("error", "body must be JSON {\"alias\": ..., \"version\": ...}: "
          + e.getMessage()));
      return;
    }
    if (body == null || !body.path("alias").isTextual() || !body.path("version").canConvertToLong()) {
      sendJson(exchange, 400, Map.of("error", "body must be JSON {\"alias\": \"live\", \"version\": 3}"));
      return;
    }
    try {
      AliasMove move = mover.move(body.get("alias").asText(), body.get("version").asLong(),
          body.path("movedBy").asText("dashboard"), body.path("reason").asText("promoted on the dashboard"));
      log.info("dashboard moved {} to version {} (was {})", move.key(), move.version(),
          move.previousVersion());
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("key", move.key());
      answer.put("alias", move.alias());
      answer.put("version", move.version());
      answer.put("previousVersion", move.previousVersion());
      sendJson(exchange, 200, answer);
    } catch (IllegalArgumentException e) {
      sendJson(exchange, 400, Map.of("error", e.getMessage()));
    } catch (IllegalStateException e) {
      sendJson(exchange, 503, Map.of("error", e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sendJson(exchange, 503, Map.of("error", "interrupted"));
    }
  }

  private void sendStatic(HttpExchange exchange, String name) throws IOException {
    try (InputStream in = Dashboard.class.getResourceAsStream(STATIC + name)) {
      if (in == null) {
        sendJson(exchange, 404, Map.of("error", "no such file: " + name));
        return;
      }
      byte[] body = in.readAllBytes();
      String ext = name.substring(name.lastIndexOf('.') + 1);
      exchange.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      send(exchange, 200, body);
    }
  }

  private void sendJson(HttpExchange exchange, int status, Object value) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    send(exchange, status, json.writeValueAsString(value).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
