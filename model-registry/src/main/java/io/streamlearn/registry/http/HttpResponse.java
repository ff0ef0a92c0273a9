package io.streamlearn.registry.http;

/**
 * A response: a status and either a value serialized as JSON or raw bytes with a content type.
 *
 * @param status HTTP status
 * @param json the value to serialize as JSON, or {@code null} for a raw body
 * @param raw the raw body (when {@code json} is null; may be empty)
 * @param contentType content type of the raw body
 */
public record HttpResponse(int status, Object json, byte[] raw, String contentType) {
  /** Validates. */
  public HttpResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in [100, 599], found " + status);
    }
    java.util.Objects.requireNonNull(contentType, "contentType");
  }

  /** 200 with a JSON body. */
  public static HttpResponse ok(Object json) {
    return new HttpResponse(200, json, null, "application/json");
  }

  /** A JSON body with a status. */
  public static HttpResponse json(int status, Object json) {
    return new HttpResponse(status, json, null, "application/json");
  }

  /** Raw bytes (a static file). */
  public static HttpResponse bytes(byte[] body, String contentType) {
    return new HttpResponse(200, null, body, contentType);
  }
}
