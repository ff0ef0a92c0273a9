package io.streamlearn.registry.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small route table: {@code METHOD /path/{param}/...} patterns to handlers, matched in the
 * order added, plus prefixes mounted with a handler of their own (static files). Other features
 * (a dashboard) add their routes to the same table, before or after the server starts.
 *
 * <p>Every table answers {@link Health#LIVE_PATH}, {@link Health#READY_PATH} and {@link
 * Health#PATH} with its {@link #health()}, so every server answers health the same way. Every write
 * (any method but GET and HEAD) is a protected route: when the server has a token, no handler that
 * can change anything runs without it. The one exception is declared as such: {@link #query}, a
 * POST that computes an answer and changes nothing (a prediction).
 *
 * <p>A pattern segment is a literal, a parameter {@code {name}}, or a parameter with a literal
 * suffix, {@code {name}:predict}, the shape of TensorFlow Serving's and Google's custom methods.
 */
public final class Routes {
  /** Handles one matched request. */
  @FunctionalInterface
  public interface Handler {
    /** The response; may throw {@link HttpError} or a registry exception, which become JSON errors. */
    HttpResponse handle(HttpRequest request) throws Exception;
  }

  /**
   * One route.
   *
   * @param method HTTP method
   * @param segments the pattern split on {@code /}; {@code {name}} segments bind parameters
   * @param handler what answers it
   * @param protectedWrite whether it needs the bearer token (when one is configured): every write
   */
  record Route(String method, List<String> segments, Handler handler, boolean protectedWrite) {}

  /** A request matched to a route, with its path parameters. */
  record Match(Route route, Map<String, String> params) {}

  // a server may already answer while a feature adds its routes (the registry's dashboard mounts
  // once its feed has started): reads and writes of the table are safe together
  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private final Map<String, Handler> mounts = new ConcurrentHashMap<>();
  private final Health health = new Health();

  /** A table that answers only health (with no components yet: up). */
  public Routes() {
    get(Health.PATH, r -> health.answer());
    get(Health.READY_PATH, r -> health.answer());
    get(Health.LIVE_PATH, r -> health.liveAnswer());
  }

  /** The health of the server this table serves; components add their checks to it. */
  public Health health() {
    return health;
  }

  /** Adds a read route. */
  public Routes get(String pattern, Handler handler) {
    return add("GET", pattern, handler);
  }

  /**
   * Adds a route. A write (any method but GET and HEAD) needs the bearer token when the server
   * has one; reads stay open.
   */
  public Routes add(String method, String pattern, Handler handler) {
    Objects.requireNonNull(handler, "handler");
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("route pattern must start with '/', found '" + pattern + "'");
    }
    routes.add(new Route(method, split(pattern), handler, isWrite(method)));
    return this;
  }

  /**
   * Adds a POST route that changes nothing (a prediction): it stays open when the server has a
   * token, like a read. Only for handlers with no side effect beyond their answer and metrics.
   */
  public Routes query(String pattern, Handler handler) {
    Objects.requireNonNull(handler, "handler");
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("route pattern must start with '/', found '" + pattern + "'");
    }
    routes.add(new Route("POST", split(pattern), handler, false));
    return this;
  }

  /** Whether a method can change something (everything but GET and HEAD). */
  static boolean isWrite(String method) {
    return !method.equals("GET") && !method.equals("HEAD");
  }

  /**
   * Mounts a handler for every GET under {@code prefix} (e.g. static files at {@code /ui/});
   * routes added with {@link #add} win over mounts.
   */
  public Routes mount(String prefix, Handler handler) {
    if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
      throw new IllegalArgumentException("mount prefix must start and end with '/', found '" + prefix + "'");
    }
    mounts.put(prefix, Objects.requireNonNull(handler, "handler"));
    return this;
  }

  /** The route for a method and path, or empty; {@code allowed} collects the methods the path has. */
  Optional<Match> match(String method, String path, Set<String> allowed) {
    List<String> parts = split(path);
    boolean routed = false;
    for (Route r : routes) {
      Map<String, String> params = bind(r.segments(), parts);
      if (params != null) {
        routed = true;
        allowed.add(r.method());
        if (r.method().equals(method) || (method.equals("HEAD") && r.method().equals("GET"))) {
          return Optional.of(new Match(r, params)); // HEAD: the GET's headers, no body (the server drops it)
        }
      }
    }
    // a path a route owns is that route's, in any method (a GET on a POST-only path is a 405,
    // not a file the mount under it does not have)
    if (!routed && (method.equals("GET") || method.equals("HEAD"))) {
      String best = null;
      for (String prefix : mounts.keySet()) {
        if ((path + "/").startsWith(prefix) && (best == null || prefix.length() > best.length())) {
          best = prefix;
        }
      }
      if (best != null) {
        return Optional.of(new Match(new Route("GET", List.of(), mounts.get(best), false),
            Map.of("path", path.length() >= best.length() ? path.substring(best.length()) : "")));
      }
    }
    return Optional.empty();
  }

  /** Every method of every route, for an Allow header. */
  Set<String> methods() {
    Set<String> out = new LinkedHashSet<>();
    routes.forEach(r -> out.add(r.method()));
    return out;
  }

  private static Map<String, String> bind(List<String> pattern, List<String> parts) {
    if (pattern.size() != parts.size()) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < pattern.size(); i++) {
      String p = pattern.get(i);
      String part = parts.get(i);
      int close = p.startsWith("{") ? p.indexOf('}') : -1;
      if (close < 0) {
        if (!p.equals(part)) {
          return null;
        }
        continue;
      }
      String suffix = p.substring(close + 1); // "" for {name}, ":predict" for {name}:predict
      if (!part.endsWith(suffix) || part.length() == suffix.length()) {
        return null;
      }
      params.put(p.substring(1, close), part.substring(0, part.length() - suffix.length()));
    }
    return params;
  }

  private static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
