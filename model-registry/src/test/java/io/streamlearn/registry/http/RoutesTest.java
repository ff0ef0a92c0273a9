package io.streamlearn.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutesTest {
  private final Routes.Handler a = r -> HttpResponse.ok("a");
  private final Routes.Handler b = r -> HttpResponse.ok("b");
  private final Routes.Handler files = r -> HttpResponse.ok("files");

  @Test
  void matchesPatternsBindsParametersAndCollectsAllowedMethods() {
    Routes routes = new Routes().get("/api/models/{model}", a).add("POST", "/api/models/{model}/promote", b, true)
        .mount("/ui/", files);
    Set<String> allowed = new LinkedHashSet<>();
    Routes.Match m = routes.match("GET", "/api/models/my%20model", allowed).orElseThrow();
    assertEquals(Map.of("model", "my model"), m.params(), "path segments are URL-decoded");
    assertEquals(a, m.route().handler());
    assertTrue(routes.match("POST", "/api/models/x/promote", allowed).orElseThrow().route().protectedWrite());

    Set<String> methods = new LinkedHashSet<>();
    assertTrue(routes.match("DELETE", "/api/models/x/promote", methods).isEmpty());
    assertEquals(Set.of("POST"), methods, "405 lists what the path allows");
    assertTrue(routes.match("GET", "/nowhere", new LinkedHashSet<>()).isEmpty(), "404");

    Routes.Match file = routes.match("GET", "/ui/js/chart.js", new LinkedHashSet<>()).orElseThrow();
    assertEquals(files, file.route().handler());
    assertEquals("js/chart.js", file.params().get("path"));
    assertEquals("", routes.match("GET", "/ui", new LinkedHashSet<>()).orElseThrow().params().get("path"));
    assertThrows(IllegalArgumentException.class, () -> routes.mount("ui", files));
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
