package io.streamlearn.registry.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;

/**
 * The one health answer of every streamlearn HTTP server (the registry, the dashboard, the demo):
 * {@code GET /api/health} answers {@code {"status": "UP", "components": {"registry": "UP", ...}}}
 * with 200 when every component is up, and the same shape with {@code "DOWN"} and 503 when one is
 * not, so a load balancer or a compose health check reads the status code and a person the body.
 * Each {@link Routes} table has one; the components serving on it add their check.
 */
public final class Health {
  /** Where every server answers it. */
  public static final String PATH = "/api/health";
  /** A component, and the whole server, that works. */
  public static final String UP = "UP";
  /** A component that does not, and then the whole server. */
  public static final String DOWN = "DOWN";

  private final Map<String, BooleanSupplier> checks = new ConcurrentSkipListMap<>();

  /**
   * Adds (or replaces) a component's check; it is called on every health request, so it must be
   * cheap and must not block (a flag the component keeps, not a round trip to Kafka).
   */
  public Health add(String component, BooleanSupplier up) {
    if (component == null || component.isBlank()) {
      throw new IllegalArgumentException("component must be non-blank, found '" + component + "'");
    }
    checks.put(component, Objects.requireNonNull(up, "up"));
    return this;
  }

  /** The answer: 200 and {@code UP} when every component is up, else 503 and {@code DOWN}. */
  public HttpResponse answer() {
    Map<String, String> components = new TreeMap<>();
    boolean allUp = true;
    for (Map.Entry<String, BooleanSupplier> c : checks.entrySet()) {
      boolean up = c.getValue().getAsBoolean();
      allUp &= up;
      components.put(c.getKey(), up ? UP : DOWN);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", allUp ? UP : DOWN);
    body.put("components", components);
    return HttpResponse.json(allUp ? 200 : 503, body);
  }
}
