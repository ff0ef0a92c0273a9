package io.streamlearn.registry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link Routes} table over HTTP with the JDK's server: JSON responses, errors as {@code
 * {"error": message}} with their status (400 bad request, 401 missing or wrong token, 404 unknown
 * path or entity, 405 wrong method, 409 conflict, 503 Kafka unavailable, 500 a bug), and the
 * bearer token check on every write when a token is configured. It is the one HTTP server of the
 * project: the registry's REST API, the dashboard (standalone, in the registry, in the demo) and
 * their health answers all go through it.
 */
public final class JsonHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JsonHttpServer.class);
  private static final int MAX_BODY_BYTES = 1 << 20;

  static {
    // The JDK server writes an answer's headers and its body in two writes. With Nagle's algorithm
    // on (its default, sun.net.httpserver.nodelay=false) the body waits until the client ACKs the
    // headers, and a client with nothing to send delays that ACK by up to 40 ms on Linux: measured
    // with bench inference's keep-alive socket client, 46 ms per predict request against 0.5 ms
    // with TCP_NODELAY. The server reads the property once, when the first server is created; a
    // value set on the command line wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final ObjectMapper json = new ObjectMapper();
  private final Routes routes;
  private final byte[] token;
  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * Binds (does not start) a server.
   *
   * @param address where to listen (port 0: any free port)
   * @param routes the route table (more routes may be added until {@link #start})
   * @param token the bearer token protected routes need, or empty for none
   */
  public JsonHttpServer(InetSocketAddress address, Routes routes, Optional<String> token) throws IOException {
    this.routes = routes;
    this.token = token.filter(t -> !t.isEmpty()).map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    this.server = HttpServer.create(address, 0);
    this.executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "streamlearn-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts serving. */
  public void start() {
    server.start();
    log.info("HTTP on http://{}:{}/{}", server.getAddress().getHostString(),
        port(), token == null ? " (no token: writes are open)" : " (writes need the bearer token)");
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      HttpResponse response;
      try {
        response = dispatch(exchange);
      } catch (HttpError e) {
        response = error(e.status(), e.getMessage());
      } catch (RegistryException e) {
        response = error(status(e.kind()), e.getMessage());
      } catch (InvalidModelException | IllegalArgumentException e) {
        response = error(400, e.getMessage());
      } catch (Exception e) {
        log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        response = error(500, "internal error: " + e);
      }
      send(exchange, response);
    }
  }

  private HttpResponse dispatch(HttpExchange exchange) throws Exception {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    Set<String> allowed = new LinkedHashSet<>();
    Optional<Routes.Match> match = routes.match(method, path, allowed);
    if (match.isEmpty()) {
      if (!allowed.isEmpty()) {
        exchange.getResponseHeaders().add("Allow", String.join(", ", allowed));
        throw new HttpError(405, method + " is not allowed on " + path + "; allowed: " + allowed);
      }
      throw new HttpError(404, "no such resource: " + method + " " + path);
    }
    Routes.Match m = match.get();
    if (m.route().protectedWrite() && token != null) {
      checkToken(exchange);
    }
    byte[] body = readBody(exchange.getRequestBody());
    HttpRequest request = new HttpRequest(method, path, m.params(),
        query(exchange.getRequestURI().getRawQuery()), body);
    return m.route().handler().handle(request);
  }

  private void checkToken(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"streamlearn\"");
    if (header == null || !header.startsWith("Bearer ")) {
      throw new HttpError(401, "this operation needs an 'Authorization: Bearer <token>' header");
    }
    byte[] given = header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token)) { // constant time
      throw new HttpError(401, "wrong bearer token");
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      throw new HttpError(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
    }
    return body;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static int status(RegistryException.Kind kind) {
    switch (kind) {
      case NOT_FOUND:
        return 404;
      case CONFLICT:
        return 409;
      case INVALID:
        return 400;
      default:
        return 503;
    }
  }

  private static HttpResponse error(int status, String message) {
    return HttpResponse.json(status, Map.of("error", message == null ? "error" : message));
  }

  private void send(HttpExchange exchange, HttpResponse response) throws IOException {
    byte[] body = response.json() != null ? json.writerWithDefaultPrettyPrinter().writeValueAsBytes(response.json())
        : response.raw() == null ? new byte[0] : response.raw();
    exchange.getResponseHeaders().set("Content-Type", response.contentType()
        + (response.contentType().startsWith("text/") || response.json() != null ? "; charset=utf-8" : ""));
    // answers change from one request to the next (a polled state, a moved alias); a page's files
    // change with a new build: revalidate those, never store these
    exchange.getResponseHeaders().set("Cache-Control", response.json() != null ? "no-store" : "no-cache");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(response.status(), head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
