package io.streamlearn.registry.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one health answer of every streamlearn HTTP server (train, serve, the registry, the
 * dashboard, the demo), in the two questions a platform's probes ask:
 *
 * <ul>
 *   <li>{@code GET /health/live} ({@link #LIVE_PATH}): should the process be restarted? 503 only
 *       when a component reports that it cannot recover by itself (a failed training loop, a
 *       Streams instance in {@code ERROR});
 *   <li>{@code GET /health/ready} ({@link #READY_PATH}): should it receive traffic, and is it doing
 *       its job? 503 while a component is not ready yet (no model loaded, partitions not assigned,
 *       no checkpoint committed lately while data flows).
 * </ul>
 *
 * <p>Both answer {@code {"status": "UP"|"DOWN", "components": {name: "UP"|"DOWN"}, "reasons":
 * {name: why}}} with 200 or 503, so a probe reads the status code and a person the reason. {@code
 * GET /api/health} ({@link #PATH}) is the readiness answer under the REST API's prefix, kept for
 * the clients and compose files that already use it.
 *
 * <p>A check is called on every request, so it must be cheap and must not block: it reads a flag
 * or a timestamp the component keeps, never a round trip to Kafka. It returns empty when the
 * component is fine and the reason when it is not.
 */
public final class Health {
  /** Readiness under the REST API's prefix (same answer as {@link #READY_PATH}). */
  public static final String PATH = "/api/health";
  /** Liveness: restart me when 503. */
  public static final String LIVE_PATH = "/health/live";
  /** Readiness: send me traffic, I am doing my job, when 200. */
  public static final String READY_PATH = "/health/ready";
  /** A component, and the whole server, that works. */
  public static final String UP = "UP";
  /** A component that does not, and then the whole server. */
  public static final String DOWN = "DOWN";

  /** One component's check: empty when fine, else why not. */
  @FunctionalInterface
  public interface Check {
    /** Why the component is not fine, or empty when it is. Must be cheap and non-blocking. */
    Optional<String> problem();
  }

  private final Map<String, Check> ready = new ConcurrentSkipListMap<>();
  private final Map<String, Check> live = new ConcurrentSkipListMap<>();

  /**
   * Adds (or replaces) a component's readiness as a flag: down reads "not ready". Prefer {@link
   * #ready(String, Check)}, which says why.
   */
  public Health add(String component, BooleanSupplier up) {
    Objects.requireNonNull(up, "up");
    return ready(component, () -> up.getAsBoolean() ? Optional.empty() : Optional.of("not ready"));
  }

  /** Adds (or replaces) a component's readiness check. */
  public Health ready(String component, Check check) {
    ready.put(checkName(component), Objects.requireNonNull(check, "check"));
    return this;
  }

  /** Adds (or replaces) a component's liveness check: a problem here means "restart me". */
  public Health live(String component, Check check) {
    live.put(checkName(component), Objects.requireNonNull(check, "check"));
    return this;
  }

  /** A check from a supplier of a nullable reason (for components that keep a volatile field). */
  public static Check of(Supplier<String> problemOrNull) {
    return () -> Optional.ofNullable(problemOrNull.get());
  }

  /** The readiness answer: 200 and {@code UP} when every component is ready, else 503. */
  public HttpResponse answer() {
    return answer(ready);
  }

  /** The liveness answer: 200 and {@code UP} unless a component asks to be restarted. */
  public HttpResponse liveAnswer() {
    return answer(live);
  }

  /** Whether every readiness check passes now. */
  public boolean isReady() {
    return ready.values().stream().allMatch(c -> c.problem().isEmpty());
  }

  private static HttpResponse answer(Map<String, Check> checks) {
    Map<String, String> components = new TreeMap<>();
    Map<String, String> reasons = new TreeMap<>();
    for (Map.Entry<String, Check> c : checks.entrySet()) {
      Optional<String> problem;
      try {
        problem = c.getValue().problem();
      } catch (RuntimeException e) { // a check that throws is a component that is not fine
        problem = Optional.of("health check failed: " + e);
      }
      components.put(c.getKey(), problem.isEmpty() ? UP : DOWN);
      problem.ifPresent(p -> reasons.put(c.getKey(), p));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", reasons.isEmpty() ? UP : DOWN);
    body.put("components", components);
    if (!reasons.isEmpty()) {
      body.put("reasons", reasons);
    }
    return HttpResponse.json(reasons.isEmpty() ? 200 : 503, body);
  }

  private static String checkName(String component) {
    if (component == null || component.isBlank()) {
      throw new IllegalArgumentException("component must be non-blank, found '" + component + "'");
    }
    return component;
  }
}
