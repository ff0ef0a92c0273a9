package io.streamlearn.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.http.Health;
import io.streamlearn.registry.http.HttpError;
import io.streamlearn.registry.http.HttpRequest;
import io.streamlearn.registry.http.HttpResponse;
import io.streamlearn.registry.http.JsonHttpServer;
import io.streamlearn.registry.http.Routes;
import io.streamlearn.registry.http.StaticFiles;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's web component: a static page (plain HTML, JavaScript and SVG, no build step)
 * and a small JSON API, added under a path prefix to a {@link Routes} table, the project's one
 * HTTP stack; so the registry's REST server, {@code streamlearn dashboard} and the demo serve it
 * with the same JSON errors, token check and health answer.
 *
 * <p>Routes under the prefix: {@code /} the page (and its {@code .js}/{@code .css});
 * {@code GET api/state} the {@link DashboardState#snapshot()} as JSON (the page polls it every
 * second); {@code POST api/promote} with {@code {"alias": "live", "version": 3}} moves an alias
 * through the {@link AliasMover} and answers with the move. Promote is a write: when the server
 * has a token it needs {@code Authorization: Bearer <token>} like every write of the registry's
 * API. {@code GET api/health} under the prefix is the server's {@link Health} answer.
 */
public final class Dashboard {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  private static final String STATIC = "/io/streamlearn/dashboard/static/";

  private final DashboardState state;
  private final AliasMover mover;

  /** A dashboard showing {@code state}; {@code mover} may be null for a read-only page. */
  public Dashboard(DashboardState state, AliasMover mover) {
    this.state = state;
    this.mover = mover;
  }

  /**
   * Adds the dashboard's routes to {@code routes} under {@code prefix} ({@code "/"} or e.g.
   * {@code "/dashboard/"}); returns {@code routes}.
   */
  public Routes mount(Routes routes, String prefix) {
    if (!prefix.startsWith("/")) {
      throw new IllegalArgumentException("prefix must start with '/', found '" + prefix + "'");
    }
    String base = prefix.endsWith("/") ? prefix : prefix + "/";
    routes.get(base + "api/state", r -> HttpResponse.ok(state.snapshot()))
        .add("POST", base + "api/promote", this::promote)
        .mount(base, new StaticFiles(STATIC, "index.html"));
    if (!base.equals("/")) {
      // the page's relative api/health, as the standalone dashboard answers it at the root
      routes.get(base + "api/health", r -> routes.health().answer());
    }
    return routes;
  }

  /**
   * Starts a server on {@code host:port} (port 0: any free port) serving only the dashboard at
   * {@code /}, without a token (writes are open). If the port is taken it falls back to a free one
   * and logs so.
   */
  public static Server serve(Dashboard dashboard, String host, int port) throws IOException {
    return serve(dashboard, host, port, Optional.empty());
  }

  /** As {@link #serve(Dashboard, String, int)}, with the bearer token promote needs, if any. */
  public static Server serve(Dashboard dashboard, String host, int port, Optional<String> token)
      throws IOException {
    Routes routes = dashboard.mount(new Routes(), "/");
    JsonHttpServer server;
    try {
      server = new JsonHttpServer(new InetSocketAddress(host, port), routes, token);
    } catch (BindException e) {
      log.warn("port {} is taken ({}); the dashboard uses a free port instead", port, e.getMessage());
      server = new JsonHttpServer(new InetSocketAddress(host, 0), routes, token);
    }
    server.start();
    return new Server(server, routes);
  }

  /** A running HTTP server with the dashboard; {@link #close()} stops it. */
  public static final class Server implements AutoCloseable {
    private final JsonHttpServer server;
    private final Routes routes;

    Server(JsonHttpServer server, Routes routes) {
      this.server = server;
      this.routes = routes;
    }

    /** The port it listens on. */
    public int port() {
      return server.port();
    }

    /** The URL a browser on this machine opens. */
    public String url() {
      return "http://localhost:" + port() + "/";
    }

    /** Its route table, for other features to serve on the same port (the demo's /metrics). */
    public Routes routes() {
      return routes;
    }

    /** Its health, for the components behind the page to add their checks. */
    public Health health() {
      return routes.health();
    }

    @Override
    public void close() {
      server.close();
    }
  }

  private HttpResponse promote(HttpRequest request) {
    if (mover == null) {
      throw new HttpError(403, "this dashboard is read-only");
    }
    JsonNode body = request.json();
    if (!body.path("alias").isTextual() || !body.path("version").canConvertToLong()) {
      throw new HttpError(400, "body must be JSON {\"alias\": \"live\", \"version\": 3}");
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
      return HttpResponse.ok(answer);
    } catch (IllegalStateException e) {
      throw new HttpError(503, e.getMessage()); // the broker did not take the move
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "interrupted while writing the alias move");
    }
  }
}
