package io.streamlearn.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RoutesTest {
  private final Routes.Handler a = r -> HttpResponse.ok("a");
  private final Routes.Handler b = r -> HttpResponse.ok("b");
  private final Routes.Handler files = r -> HttpResponse.ok("files");

  @Test
  void matchesPatternsBindsParametersAndCollectsAllowedMethods() {
    Routes routes = new Routes().get("/api/models/{model}", a).add("POST", "/api/models/{model}/promote", b)
        .mount("/ui/", files);
    Set<String> allowed = new LinkedHashSet<>();
    Routes.Match m = routes.match("GET", "/api/models/my%20model", allowed).orElseThrow();
    assertEquals(Map.of("model", "my model"), m.params(), "path segments are URL-decoded");
    assertEquals(a, m.route().handler());
    assertTrue(routes.match("POST", "/api/models/x/promote", allowed).orElseThrow().route().protectedWrite());
    assertEquals(a, routes.match("HEAD", "/api/models/x", allowed).orElseThrow().route().handler(),
        "HEAD answers as GET (without the body)");

    Set<String> methods = new LinkedHashSet<>();
    assertTrue(routes.match("DELETE", "/api/models/x/promote", methods).isEmpty());
    assertEquals(Set.of("POST"), methods, "405 lists what the path allows");
    assertTrue(routes.match("GET", "/nowhere", new LinkedHashSet<>()).isEmpty(), "404");
    Routes mounted = new Routes().add("POST", "/ui/api/promote", b).mount("/ui/", files);
    Set<String> promote = new LinkedHashSet<>();
    assertTrue(mounted.match("GET", "/ui/api/promote", promote).isEmpty(), "a routed path is not the mount's");
    assertEquals(Set.of("POST"), promote, "so a GET on it is a 405");

    Routes.Match file = routes.match("GET", "/ui/js/chart.js", new LinkedHashSet<>()).orElseThrow();
    assertEquals(files, file.route().handler());
    assertEquals("js/chart.js", file.params().get("path"));
    assertEquals("", routes.match("GET", "/ui", new LinkedHashSet<>()).orElseThrow().params().get("path"));
    assertThrows(IllegalArgumentException.class, () -> routes.mount("ui", files));
  }

  @Test
  void everyWriteIsProtectedAndEveryReadIsOpen() {
    Routes routes = new Routes().get("/x", a).add("POST", "/x", b).add("PUT", "/x", b).add("DELETE", "/x", b)
        .add("PATCH", "/x", b).mount("/ui/", files);
    for (String write : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
      assertTrue(routes.match(write, "/x", new LinkedHashSet<>()).orElseThrow().route().protectedWrite(),
          write + " needs the token");
    }
    assertFalse(routes.match("GET", "/x", new LinkedHashSet<>()).orElseThrow().route().protectedWrite());
    assertFalse(routes.match("GET", "/ui/a.js", new LinkedHashSet<>()).orElseThrow().route().protectedWrite());
    assertFalse(routes.match("GET", Health.PATH, new LinkedHashSet<>()).orElseThrow().route().protectedWrite());
  }

  @Test
  void everyTableAnswersHealthUpUntilAComponentIsDown() throws Exception {
    Routes routes = new Routes();
    Routes.Handler health = routes.match("GET", "/api/health", new LinkedHashSet<>()).orElseThrow().route().handler();
    HttpResponse empty = health.handle(get("/api/health"));
    assertEquals(200, empty.status());
    assertEquals(Map.of("status", "UP", "components", Map.of()), empty.json());

    AtomicBoolean feedUp = new AtomicBoolean(true);
    routes.health().add("registry", () -> true).add("dashboard", feedUp::get);
    HttpResponse up = health.handle(get("/api/health"));
    assertEquals(200, up.status());
    assertEquals(Map.of("status", "UP", "components", Map.of("registry", "UP", "dashboard", "UP")), up.json());
    feedUp.set(false);
    HttpResponse down = health.handle(get("/api/health"));
    assertEquals(503, down.status(), "one component down: the server is down");
    assertEquals(Map.of("status", "DOWN", "components", Map.of("registry", "UP", "dashboard", "DOWN"),
        "reasons", Map.of("dashboard", "not ready")), down.json());
  }

  @Test
  void readinessSaysWhyAndLivenessIsAskedSeparately() throws Exception {
    Routes routes = new Routes();
    AtomicReference<String> problem = new AtomicReference<>("no model loaded yet");
    routes.health().ready("model", Health.of(problem::get));
    routes.health().live("streams", () -> Optional.empty());
    HttpResponse notReady = handle(routes, "GET", Health.READY_PATH);
    assertEquals(503, notReady.status());
    assertEquals(Map.of("status", "DOWN", "components", Map.of("model", "DOWN"),
        "reasons", Map.of("model", "no model loaded yet")), notReady.json());
    assertEquals(200, handle(routes, "GET", Health.LIVE_PATH).status(), "not ready is not dead");
    problem.set(null);
    assertEquals(200, handle(routes, "GET", Health.READY_PATH).status());
    assertEquals(200, handle(routes, "GET", Health.PATH).status(), "/api/health is readiness too");
    routes.health().live("streams", () -> Optional.of("Kafka Streams is in ERROR"));
    HttpResponse dead = handle(routes, "GET", Health.LIVE_PATH);
    assertEquals(503, dead.status());
    assertEquals(Map.of("streams", "Kafka Streams is in ERROR"), ((Map<?, ?>) dead.json()).get("reasons"));
    routes.health().ready("broken", () -> {
      throw new IllegalStateException("boom");
    });
    assertEquals(503, handle(routes, "GET", Health.READY_PATH).status(), "a check that throws is down");
  }

  @Test
  void aCustomMethodSuffixBindsTheParameterBeforeIt() throws Exception {
    Routes routes = new Routes();
    routes.query("/v1/models/{name}:predict", r -> HttpResponse.ok(r.params()));
    routes.get("/v1/models/{name}", r -> HttpResponse.ok(Map.of("status", r.params().get("name"))));
    Routes.Match m = routes.match("POST", "/v1/models/mnist:predict", new LinkedHashSet<>()).orElseThrow();
    assertEquals(Map.of("name", "mnist"), m.params());
    assertFalse(m.route().protectedWrite(), "a prediction changes nothing: open like a read");
    assertTrue(routes.match("POST", "/v1/models/:predict", new LinkedHashSet<>()).isEmpty(), "empty name");
    assertTrue(routes.match("POST", "/v1/models/mnist:classify", new LinkedHashSet<>()).isEmpty());
    assertEquals(Map.of("name", "mnist"),
        routes.match("GET", "/v1/models/mnist", new LinkedHashSet<>()).orElseThrow().params());
  }

  private static HttpResponse handle(Routes routes, String method, String path) throws Exception {
    return routes.match(method, path, new LinkedHashSet<>()).orElseThrow().route().handler()
        .handle(new HttpRequest(method, path, Map.of(), Map.of(), new byte[0]));
  }

  private static HttpRequest get(String path) {
    return new HttpRequest("GET", path, Map.of(), Map.of(), new byte[0]);
  }

  @Test
  void staticFilesRefuseEscapes() {
    StaticFiles handler = new StaticFiles("/fixtures/", "index.html");
    HttpError e = assertThrows(HttpError.class, () -> handler.handle(new HttpRequest("GET", "/ui/../x",
        Map.of("path", "../x"), Map.of(), new byte[0])));
    assertEquals(404, e.status());
    assertThrows(HttpError.class, () -> handler.handle(new HttpRequest("GET", "/ui/", Map.of("path", ""), Map.of(),
        new byte[0])), "no index.html in the folder");
  }
}
