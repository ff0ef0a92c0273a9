package io.streamlearn.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/**
 * A request as a handler sees it.
 *
 * @param method HTTP method
 * @param path the path, without query
 * @param params path parameters bound by the route ({@code path} for a mount: the rest of the path)
 * @param query query parameters (last value wins)
 * @param body the raw body (empty when none)
 */
public record HttpRequest(String method, String path, Map<String, String> params,
                          Map<String, String> query, byte[] body) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates and copies. */
  public HttpRequest {
    java.util.Objects.requireNonNull(method, "method");
    java.util.Objects.requireNonNull(path, "path");
    params = Map.copyOf(params);
    query = Map.copyOf(query);
    body = body.clone();
  }

  /** A path parameter. */
  public String param(String name) {
    String v = params.get(name);
    if (v == null) {
      throw new IllegalStateException("route has no parameter " + name);
    }
    return v;
  }

  /** The body as a JSON object ({@code {}} when empty); 400 when it is not one. */
  public JsonNode json() {
    if (body.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw new HttpError(400, "request body must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new HttpError(400, "request body is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  /** A long path or query value; 400 naming it when it is not a number. */
  public static long parseLong(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new HttpError(400, name + " must be a whole number, found '" + value + "'");
    }
  }
}
