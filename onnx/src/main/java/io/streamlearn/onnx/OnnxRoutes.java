package io.streamlearn.onnx;

import io.streamlearn.registry.InferenceExport;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Registry;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryException;
import io.streamlearn.registry.http.HttpError;
import io.streamlearn.registry.http.HttpRequest;
import io.streamlearn.registry.http.HttpResponse;
import io.streamlearn.registry.http.Routes;
import java.util.Locale;

/**
 * The registry's export over REST, a read route added to the registry's table:
 *
 * <pre>
 * GET /api/models/{model}/versions/{version}/export?format=onnx|avro[&amp;float16=true]
 * </pre>
 *
 * <p>{@code version} is a number or {@code latest}. The body is the file {@code streamlearn models
 * export} writes, as {@code application/octet-stream}: the ONNX model ({@code format=onnx}, the
 * default) or the optimized version record ({@code format=avro}). It lives here rather than in the
 * registry's own API because the ONNX exporter needs the engine's layer names, and the registry
 * must not depend on the engine.
 */
public final class OnnxRoutes {
  /** The route's pattern. */
  public static final String EXPORT = "/api/models/{model}/versions/{version}/export";

  private OnnxRoutes() {}

  /** Adds the export route to {@code routes}; returns it. */
  public static Routes addTo(Routes routes, Registry registry) {
    return routes.get(EXPORT, r -> export(r, registry));
  }

  private static HttpResponse export(HttpRequest r, Registry registry) {
    String model = r.param("model");
    String which = r.param("version");
    String format = r.query().getOrDefault("format", "onnx").toLowerCase(Locale.ROOT);
    String half = r.query().getOrDefault("float16", "false");
    if (!half.equals("true") && !half.equals("false")) {
      throw new HttpError(400, "float16 must be true or false, found '" + half + "'");
    }
    boolean float16 = half.equals("true");
    ModelVersion v = registry.read(s -> which.equals("latest") ? s.latest(model)
        : s.version(model, HttpRequest.parseLong("version", which)))
        .orElseThrow(() -> new RegistryException(RegistryException.Kind.NOT_FOUND,
            "model " + model + " has no version " + which));
    try {
      return switch (format) {
        case "onnx" -> HttpResponse.bytes(OnnxExporter.export(v, float16).onnx(), "application/octet-stream");
        case "avro" -> HttpResponse.bytes(new RegistryCodec().encode(InferenceExport.of(v, float16)),
            "application/octet-stream");
        default -> throw new HttpError(400, "format must be onnx or avro, found '" + format + "'");
      };
    } catch (IllegalArgumentException e) {
      // a version this export cannot carry (an embedding layer, a weight beyond float16) is the request's problem
      throw new HttpError(422, v.key() + " cannot be exported as " + format + ": " + e.getMessage());
    }
  }
}
