package io.streamlearn.schema.user;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.schema.user.SchemaRegistryException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a Confluent-compatible schema registry's REST API on {@code java.net.http}: fetches
 * Avro schemas by id ({@code GET /schemas/ids/{id}}) and registers one under a subject ({@code POST
 * /subjects/{subject}/versions}, for tests and the demo).
 *
 * <p>A schema id names one schema forever, so each id is fetched once and cached for the client's
 * life; a failed fetch is not cached and is tried again on the next record. Several URLs are
 * tried in turn when one cannot be reached, times out or answers 5xx; a 4xx answer ends the
 * lookup, since every node of one registry gives the same answer. Failures are
 * {@link SchemaRegistryException}s naming the id and URL. Thread-safe.
 */
public final class SchemaRegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SchemaRegistrySettings settings;
  private final HttpClient http;
  private final String authorization;
  private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();

  /** A client for the registry in {@code settings}. */
  public SchemaRegistryClient(SchemaRegistrySettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    // No redirects: the Authorization header must not follow a redirect to another host.
    this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.authorization = settings.userInfo() == null ? null : "Basic " + Base64.getEncoder()
        .encodeToString(settings.userInfo().getBytes(StandardCharsets.UTF_8));
  }

  /** A client configured from Confluent-style client properties (see {@link SchemaRegistrySettings}). */
  public static SchemaRegistryClient fromProperties(Map<String, ?> props) {
    return new SchemaRegistryClient(SchemaRegistrySettings.fromProperties(props));
  }

  /** The settings this client uses. */
  public SchemaRegistrySettings settings() {
    return settings;
  }

  /**
   * The Avro schema registered under {@code id}, from the cache or the registry.
   *
   * @throws SchemaRegistryException when no registry gives it; {@link Kind#NOT_FOUND} for an
   *     unknown id, {@link Kind#UNSUPPORTED_SCHEMA} for a Protobuf or JSON schema
   */
  public Schema schemaById(int id) {
    Schema cached = byId.get(id);
    if (cached != null) {
      return cached;
    }
    // Outside computeIfAbsent: a slow registry must not block lookups of other ids. Two threads
    // missing the same id at once may both fetch it; the answer is the same.
    Schema schema = fetch(id);
    Schema raced = byId.putIfAbsent(id, schema);
    return raced == null ? schema : raced;
  }

  private Schema fetch(int id) {
    Answer answer = send("GET", "/schemas/ids/" + id, null, "schema id " + id);
    JsonNode body = answer.body();
    String type = body.path("schemaType").asText("AVRO");
    String where = "schema id " + id + " in the registry at " + answer.url();
    if (!"AVRO".equals(type.toUpperCase(Locale.ROOT))) {
      throw new SchemaRegistryException(Kind.UNSUPPORTED_SCHEMA, where + " is a " + type
          + " schema; --input-format confluent-avro reads Avro schemas only", null);
    }
    if (body.path("references").isArray() && !body.path("references").isEmpty()) {
      throw new SchemaRegistryException(Kind.UNSUPPORTED_SCHEMA, where + " has schema references "
          + body.path("references") + ", which this client does not resolve", null);
    }
    JsonNode text = body.get("schema");
    if (text == null || !text.isTextual()) {
      throw new SchemaRegistryException(Kind.INVALID_RESPONSE, where + ": the response has no \"schema\" string", null);
    }
    try {
      return new Schema.Parser().parse(text.asText());
    } catch (RuntimeException e) {
      // Avro 1.12 reports some bad schemas (an unknown type name) as NullPointerException, not
      // SchemaParseException; any failure to parse a registry's text is a bad response.
      throw new SchemaRegistryException(Kind.INVALID_RESPONSE, where + " is not a valid Avro schema: "
          + e.getMessage(), e);
    }
  }

  /**
   * Registers {@code schema} under {@code subject} (or finds it there) and returns its id.
   *
   * @throws SchemaRegistryException when the registry refuses it (an incompatible schema is
   *     {@link Kind#INVALID_RESPONSE} with the registry's message)
   */
  public int register(String subject, Schema schema) {
    Objects.requireNonNull(schema, "schema");
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("subject is blank");
    }
    String request;
    try {
      request = JSON.writeValueAsString(Map.of("schema", schema.toString()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a JSON string", e);
    }
    JsonNode body = send("POST", "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20")
        + "/versions", request, "subject " + subject).body();
    if (!body.path("id").canConvertToInt()) {
      throw new SchemaRegistryException(Kind.INVALID_RESPONSE, "registering under subject " + subject
          + ": the response has no numeric \"id\": " + body, null);
    }
    int id = body.get("id").asInt();
    byId.putIfAbsent(id, schema);
    return id;
  }

  /** A successful response and the registry URL that gave it. */
  private record Answer(JsonNode body, URI url) {}

  private Answer send(String method, String path, String requestBody, String what) {
    List<String> failures = new ArrayList<>();
    SchemaRegistryException last = null;
    for (URI base : settings.urls()) {
      URI uri = URI.create(base + path);
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
          .header("Accept", ACCEPT);
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      if (requestBody == null) {
        request.GET();
      } else {
        request.header("Content-Type", CONTENT_TYPE)
            .POST(HttpRequest.BodyPublishers.ofString(requestBody, StandardCharsets.UTF_8));
      }
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        last = new SchemaRegistryException(Kind.UNREACHABLE, what + ": the registry at " + base
            + " did not answer (" + e + ")", e);
        failures.add(base + ": " + e);
        LOG.warn("schema registry {} did not answer for {}: {}", base, what, e.toString());
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException(Kind.UNREACHABLE, what + ": interrupted while asking " + base, e);
      }
      int status = response.statusCode();
      if (status / 100 == 2) {
        return new Answer(parse(response.body(), what, base), base);
      }
      String message = serverMessage(response.body());
      if (status >= 500) {
        last = new SchemaRegistryException(Kind.SERVER_ERROR, what + ": the registry at " + base
            + " failed with HTTP " + status + message, null);
        failures.add(base + ": HTTP " + status + message);
        LOG.warn("schema registry {} failed for {}: HTTP {}{}", base, what, status, message);
        continue;
      }
      throw clientError(status, message, what, base);
    }
    if (failures.size() > 1) {
      throw new SchemaRegistryException(last.kind(), what + ": no schema registry answered; tried "
          + String.join("; ", failures), last);
    }
    throw last;
  }

  private SchemaRegistryException clientError(int status, String message, String what, URI base) {
    return switch (status) {
      case 404 -> new SchemaRegistryException(Kind.NOT_FOUND, what + " not found in the registry at " + base
          + " (HTTP 404" + message + ")", null);
      case 401 -> new SchemaRegistryException(Kind.UNAUTHORIZED, "the registry at " + base + " refused "
          + (authorization == null ? "a request without credentials" : "the credentials of user "
          + settings.userInfo().substring(0, settings.userInfo().indexOf(':')))
          + " for " + what + " (HTTP 401" + message + "); set " + SchemaRegistrySettings.CREDENTIALS_SOURCE
          + "=USER_INFO and " + SchemaRegistrySettings.USER_INFO + "=user:password", null);
      case 403 -> new SchemaRegistryException(Kind.FORBIDDEN, "the registry at " + base + " forbids "
          + (authorization == null ? "anonymous access" : "user "
          + settings.userInfo().substring(0, settings.userInfo().indexOf(':'))) + " to read " + what
          + " (HTTP 403" + message + ")", null);
      default -> new SchemaRegistryException(Kind.INVALID_RESPONSE, what + ": the registry at " + base
          + " answered HTTP " + status + message, null);
    };
  }

  private static JsonNode parse(String body, String what, URI base) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw new SchemaRegistryException(Kind.INVALID_RESPONSE, what + ": the registry at " + base
            + " answered with no JSON object: " + abbreviate(body), null);
      }
      return node;
    } catch (IOException e) {
      throw new SchemaRegistryException(Kind.INVALID_RESPONSE, what + ": the registry at " + base
          + " answered with invalid JSON: " + abbreviate(body), e);
    }
  }

  /** The registry's own error text ({@code {"error_code": 40403, "message": "..."}}), if any. */
  private static String serverMessage(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.hasNonNull("message")) {
        return ", error " + node.path("error_code").asText("?") + ": " + node.get("message").asText();
      }
    } catch (IOException e) {
      // Not JSON (a proxy's HTML page, say): show its start instead.
    }
    return body == null || body.isBlank() ? "" : ": " + abbreviate(body);
  }

  private static String abbreviate(String s) {
    String flat = s == null ? "" : s.replaceAll("\\s+", " ").strip();
    return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
  }
}
