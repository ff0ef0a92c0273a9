package io.streamlearn.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Registry;
import io.streamlearn.registry.RegistryException;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.registry.VersionDiff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry's REST API, as routes on a {@link Routes} table. Reads:
 *
 * <pre>
 * GET    /api/models                                  models with latest version and aliases
 * GET    /api/models/{model}                          versions (metrics, lineage) and aliases
 * GET    /api/models/{model}/versions
 * GET    /api/models/{model}/versions/{version}       a number or 'latest'
 * GET    /api/models/{model}/aliases
 * GET    /api/models/{model}/aliases/{alias}
 * GET    /api/models/{model}/history[?alias=live]     every alias change, oldest first
 * GET    /api/models/{model}/diff?from=1&amp;to=2
 * </pre>
 *
 * ({@code GET /api/health} is every table's own: {@link Health}.) Writes (bearer token when
 * configured), JSON bodies with optional {@code by} and {@code reason}:
 *
 * <pre>
 * POST   /api/models/{model}/promote                  {"version": 3[, "alias": "live"]}
 * POST   /api/models/{model}/rollback                 {[ "alias": "live"]}
 * PUT    /api/models/{model}/aliases/{alias}          {"version": 3}
 * DELETE /api/models/{model}/aliases/{alias}
 * POST   /api/models/{model}/retain                   {"keepLast": 5}: delete older unaliased versions
 * </pre>
 */
public final class RegistryApi {
  /** Who a write is attributed to when the body names nobody. */
  public static final String DEFAULT_ACTOR = "rest-api";

  private final Registry registry;

  private RegistryApi(Registry registry) {
    this.registry = registry;
  }

  /** Adds the registry's routes to {@code routes}; returns it. */
  public static Routes addTo(Routes routes, Registry registry) {
    RegistryApi api = new RegistryApi(registry);
    return routes
        .get("/api/models", r -> HttpResponse.ok(registry.read(api::models)))
        .get("/api/models/{model}", r -> HttpResponse.ok(api.model(r.param("model"))))
        .get("/api/models/{model}/versions", r -> HttpResponse.ok(api.model(r.param("model")).get("versions")))
        .get("/api/models/{model}/versions/{version}", api::version)
        .get("/api/models/{model}/aliases", r -> HttpResponse.ok(api.model(r.param("model")).get("aliases")))
        .get("/api/models/{model}/aliases/{alias}", api::alias)
        .get("/api/models/{model}/history", api::history)
        .get("/api/models/{model}/diff", api::diff)
        .add("POST", "/api/models/{model}/promote", api::promote)
        .add("POST", "/api/models/{model}/rollback", api::rollback)
        .add("PUT", "/api/models/{model}/aliases/{alias}", api::setAlias)
        .add("DELETE", "/api/models/{model}/aliases/{alias}", api::deleteAlias)
        .add("POST", "/api/models/{model}/retain", api::retain);
  }

  private List<Map<String, Object>> models(RegistryState s) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String model : s.models()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", model);
      m.put("latestVersion", s.latest(model).map(ModelVersion::version).orElse(null));
      m.put("versionCount", s.versions(model).size());
      Map<String, Long> aliases = new TreeMap<>();
      s.aliases(model).forEach((a, move) -> aliases.put(a, move.version()));
      m.put("aliases", aliases);
      out.add(m);
    }
    return out;
  }

  private Map<String, Object> model(String model) {
    return registry.read(s -> {
      requireModel(s, model);
      List<Map<String, Object>> versions = new ArrayList<>();
      for (ModelVersion v : s.versions(model).values()) {
        versions.add(RegistryJson.version(v, s.chunking(model, v.version()), aliasesOf(s, model, v.version())));
      }
      Map<String, Object> aliases = new TreeMap<>();
      s.aliases(model).forEach((a, move) -> aliases.put(a, RegistryJson.alias(move)));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", model);
      m.put("versions", versions);
      m.put("aliases", aliases);
      return m;
    });
  }

  private HttpResponse version(HttpRequest r) {
    String model = r.param("model");
    String which = r.param("version");
    return HttpResponse.ok(registry.read(s -> {
      requireModel(s, model);
      ModelVersion v = which.equals("latest") ? s.latest(model).orElseThrow(() -> notFound(model + " has no versions"))
          : s.version(model, HttpRequest.parseLong("version", which))
              .orElseThrow(() -> notFound("model " + model + " has no version " + which));
      return RegistryJson.version(v, s.chunking(model, v.version()), aliasesOf(s, model, v.version()));
    }));
  }

  private HttpResponse alias(HttpRequest r) {
    String model = r.param("model");
    String alias = r.param("alias");
    return HttpResponse.ok(registry.read(s -> {
      requireModel(s, model);
      AliasMove move = s.aliases(model).get(alias);
      if (move == null) {
        throw notFound("model " + model + " has no alias " + alias);
      }
      return RegistryJson.alias(move);
    }));
  }

  private HttpResponse history(HttpRequest r) {
    String model = r.param("model");
    String alias = r.query().get("alias");
    return HttpResponse.ok(registry.read(s -> {
      requireModel(s, model);
      return (alias == null ? s.history(model) : s.history(model, alias)).stream()
          .map(RegistryJson::change).toList();
    }));
  }

  private HttpResponse diff(HttpRequest r) {
    String model = r.param("model");
    String from = r.query().get("from");
    String to = r.query().get("to");
    if (from == null || to == null) {
      throw new HttpError(400, "diff needs query parameters from and to (version numbers)");
    }
    long a = HttpRequest.parseLong("from", from);
    long b = HttpRequest.parseLong("to", to);
    return HttpResponse.ok(registry.read(s -> {
      requireModel(s, model);
      ModelVersion va = s.version(model, a).orElseThrow(() -> notFound("model " + model + " has no version " + a));
      ModelVersion vb = s.version(model, b).orElseThrow(() -> notFound("model " + model + " has no version " + b));
      return VersionDiff.of(va, vb);
    }));
  }

  private HttpResponse promote(HttpRequest r) {
    JsonNode body = r.json();
    if (!body.hasNonNull("version") || !body.get("version").canConvertToExactIntegral()) {
      throw new HttpError(400, "promote needs a JSON body with a whole-number \"version\"");
    }
    String model = r.param("model");
    requireModel(model);
    AliasMove move = registry.setAlias(model, text(body, "alias", AliasMove.LIVE),
        body.get("version").asLong(), text(body, "by", DEFAULT_ACTOR), text(body, "reason", "promoted"));
    return HttpResponse.ok(RegistryJson.alias(move));
  }

  private HttpResponse rollback(HttpRequest r) {
    JsonNode body = r.json();
    String model = r.param("model");
    requireModel(model);
    AliasMove move = registry.rollback(model, text(body, "alias", AliasMove.LIVE),
        text(body, "by", DEFAULT_ACTOR), text(body, "reason", "rolled back"));
    return HttpResponse.ok(RegistryJson.alias(move));
  }

  private HttpResponse setAlias(HttpRequest r) {
    JsonNode body = r.json();
    if (!body.hasNonNull("version") || !body.get("version").canConvertToExactIntegral()) {
      throw new HttpError(400, "setting an alias needs a JSON body with a whole-number \"version\"");
    }
    String model = r.param("model");
    requireModel(model);
    AliasMove move = registry.setAlias(model, r.param("alias"), body.get("version").asLong(),
        text(body, "by", DEFAULT_ACTOR), text(body, "reason", "alias set"));
    return HttpResponse.ok(RegistryJson.alias(move));
  }

  private HttpResponse deleteAlias(HttpRequest r) {
    JsonNode body = r.json();
    String model = r.param("model");
    requireModel(model);
    String by = r.query().getOrDefault("by", text(body, "by", DEFAULT_ACTOR));
    String reason = r.query().getOrDefault("reason", text(body, "reason", "alias deleted"));
    registry.deleteAlias(model, r.param("alias"), by, reason);
    return HttpResponse.ok(Map.of("deleted", model + "@" + r.param("alias")));
  }

  private HttpResponse retain(HttpRequest r) {
    JsonNode body = r.json();
    if (!body.hasNonNull("keepLast") || !body.get("keepLast").canConvertToInt() || body.get("keepLast").asInt() < 1) {
      throw new HttpError(400, "retain needs a JSON body with \"keepLast\" >= 1");
    }
    String model = r.param("model");
    requireModel(model);
    return HttpResponse.ok(Map.of("deleted", registry.retain(model, body.get("keepLast").asInt())));
  }

  private void requireModel(String model) {
    registry.read(s -> {
      requireModel(s, model);
      return null;
    });
  }

  private static void requireModel(RegistryState s, String model) {
    if (!s.models().contains(model)) {
      throw notFound("no model named " + model);
    }
  }

  private static List<String> aliasesOf(RegistryState s, String model, long version) {
    List<String> out = new ArrayList<>();
    s.aliases(model).forEach((a, move) -> {
      if (move.version() == version) {
        out.add(a);
      }
    });
    out.sort(null);
    return out;
  }

  private static String text(JsonNode body, String field, String dflt) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isTextual() && !n.isNumber()) {
      throw new HttpError(400, "\"" + field + "\" must be a string, found " + n);
    }
    return n.asText();
  }

  private static RegistryException notFound(String message) {
    return new RegistryException(RegistryException.Kind.NOT_FOUND, message);
  }
}
