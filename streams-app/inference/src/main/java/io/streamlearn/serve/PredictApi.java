package io.streamlearn.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamlearn.app.RawInput;
import io.streamlearn.features.BadRecordException;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.JsonRecordDecoder;
import io.streamlearn.learn.Model;
import io.streamlearn.registry.Signature;
import io.streamlearn.registry.http.HttpError;
import io.streamlearn.registry.http.HttpResponse;
import io.streamlearn.registry.http.Routes;
import io.streamlearn.tensor.SparseRows;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@code serve}'s synchronous predict API, in TensorFlow Serving's REST shape, on the routes of the
 * service's {@link io.streamlearn.app.OpsServer}:
 *
 * <ul>
 *   <li>{@code POST /v1/models/{name}:predict}, {@code .../versions/{v}:predict}, {@code
 *       .../labels/{alias}:predict} with {@code {"instances": [...]}} answer {@code {"predictions":
 *       [...], "model_version": "N", "alias": "live"}} ({@link PredictRequest} reads the body);
 *   <li>{@code GET /v1/models/{name}}, {@code .../versions/{v}}, {@code .../labels/{alias}}: TF
 *       Serving's model status, {@code {"model_version_status": [{"version": "N", "state":
 *       "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]}}.
 * </ul>
 *
 * <p>A prediction is computed by the very {@link ServedModel.Current} the stream threads score
 * with, read once per request, so it names exactly one version and gives the same scores as the
 * stream for the same input. An instance is what the service's input topic holds: in event mode an
 * array of the features; in raw mode (a raw {@code --input-format}) a JSON object, decoded by the
 * stream's {@link JsonRecordDecoder} and featurized by the version's own frozen pipeline, as a raw
 * record on the topic is (an Avro topic's records are given as JSON objects with the same field
 * paths).
 *
 * <p>A prediction element: for a classifier {@code {"probabilities": [...], "class_ids": [k],
 * "classes": ["name"]}} (TensorFlow's canned classifiers' names; {@code probabilities} is the
 * {@code Prediction.scores} of the stream, a single probability for a one-output binary model;
 * {@code classes} holds the class's name, or its index as a string when the version names no
 * classes); for a regression the output values, an array.
 *
 * <p>Versions ({@link ServedVersions}): the served alias's, the shadow alias's and the canary
 * alias's, which the stream holds, are answered at once. Any other version or alias of the model is read from the registry
 * records the instance's global store already holds (never from Kafka on the request's path),
 * prepared and checked as the registry follower prepares a version, and kept in a small cache. A
 * request never waits for a swap or for Kafka: before the first version it gets a 503 with the
 * reason.
 *
 * <p>Metrics in the ops registry: {@code streamlearn_rest_predictions_total{model,version,outcome}}
 * (predict requests answered; outcome {@code ok}, {@code bad_request}, {@code not_found}, {@code
 * unavailable}, {@code error}), {@code streamlearn_rest_predicted_instances_total{model,version}}
 * and the request latency timer {@code streamlearn_rest_predict_duration_seconds{model,outcome}}.
 */
public final class PredictApi {
  /** The most instances one request may hold (the body is also capped, at 1 MiB, by the server). */
  public static final int MAX_INSTANCES = 1024;
  private static final JsonFactory JSON = JsonFactory.builder().build();

  /** The registry records the instance follows, by key ({@code name:version}, {@code name@alias}). */
  @FunctionalInterface
  public interface RegistryView {
    /**
     * The record's value, or null when there is none.
     *
     * @throws IllegalStateException when the view cannot be read now (the reason is the message)
     */
    byte[] get(String key);
  }

  private final String model;
  private final ServedVersions versions;
  private final MeterRegistry meters;

  /**
   * An API over a service's holders.
   *
   * @param settings the service's settings (model, aliases, input format)
   * @param serving the holders the stream scores with
   * @param registry the registry records of the instance, or null to serve only the held versions
   * @param meters where the API counts its requests
   */
  public PredictApi(InferenceSettings settings, Serving serving, RegistryView registry, MeterRegistry meters) {
    this(settings.model(), settings.alias(), serving.primary(), held(settings.shadowAlias(), serving.shadow(),
        settings.canaryAlias(), serving.canary()), settings.input(), registry, meters);
  }

  PredictApi(String model, String alias, ServedModel primary, String shadowAlias, ServedModel shadow,
             RawInput input, RegistryView registry, MeterRegistry meters) {
    this(model, alias, primary, held(shadowAlias, shadow, null, null), input, registry, meters);
  }

  PredictApi(String model, String alias, ServedModel primary, Map<String, ServedModel> others,
             RawInput input, RegistryView registry, MeterRegistry meters) {
    this.model = Objects.requireNonNull(model, "model");
    this.versions = new ServedVersions(model, alias, primary, others, input, registry);
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  /** The other aliases the stream holds, by name: the shadow's, then the canary's (each when set). */
  private static Map<String, ServedModel> held(String shadowAlias, ServedModel shadow, String canaryAlias,
                                               ServedModel canary) {
    Map<String, ServedModel> others = new LinkedHashMap<>();
    if (shadowAlias != null) {
      others.put(shadowAlias, shadow);
    }
    if (canaryAlias != null) {
      others.put(canaryAlias, canary);
    }
    return others;
  }

  /** Adds the API's routes; predictions are open queries (they change nothing), status is a read. */
  public PredictApi register(Routes routes) {
    routes.query("/v1/models/{name}:predict", r -> predict(r.param("name"), null, null, r.body()));
    routes.query("/v1/models/{name}/versions/{version}:predict",
        r -> predict(r.param("name"), r.param("version"), null, r.body()));
    routes.query("/v1/models/{name}/labels/{label}:predict",
        r -> predict(r.param("name"), null, r.param("label"), r.body()));
    routes.get("/v1/models/{name}", r -> status(r.param("name"), null, null));
    routes.get("/v1/models/{name}/versions/{version}", r -> status(r.param("name"), r.param("version"), null));
    routes.get("/v1/models/{name}/labels/{label}", r -> status(r.param("name"), null, r.param("label")));
    return this;
  }

  /**
   * Answers one predict request.
   *
   * @param name the model named in the path
   * @param version the version asked for, or null
   * @param label the alias asked for, or null (neither: the served alias)
   * @throws HttpError 400, 404 or 503 with the reason
   */
  HttpResponse predict(String name, String version, String label, byte[] body) {
    long started = System.nanoTime();
    String versionTag = "none";
    String outcome = "error";
    try {
      ServedVersions.Target target = versions.resolve(name, version, label);
      versionTag = String.valueOf(target.current().version().version());
      HttpResponse response = score(target, body);
      outcome = "ok";
      return response;
    } catch (HttpError e) {
      outcome = switch (e.status()) {
        case 400 -> "bad_request";
        case 404 -> "not_found";
        case 503 -> "unavailable";
        default -> "error";
      };
      throw e;
    } finally {
      Counter.builder("streamlearn.rest.predictions")
          .description("REST predict requests answered, by outcome")
          .tags("model", model, "version", versionTag, "outcome", outcome)
          .register(meters).increment();
      Timer.builder("streamlearn.rest.predict.duration")
          .description("REST predict requests, from the routed request to the answer's bytes")
          .tags("model", model, "outcome", outcome)
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(50_000))
          .maximumExpectedValue(Duration.ofSeconds(5))
          .register(meters).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
  }

  private HttpResponse score(ServedVersions.Target target, byte[] body) {
    ServedModel.Current c = target.current();
    Model m = c.model();
    FrozenPipeline pipeline = c.pipeline();
    PredictRequest request = PredictRequest.parse(body, pipeline == null ? m.inputs() : -1, MAX_INSTANCES);
    int n = request.count();
    float[] out = new float[n * m.outputs()];
    if (pipeline == null) {
      m.predict(request.x(), n, out);
    } else {
      m.predict(featurize(pipeline, body, request), out);
    }
    Counter.builder("streamlearn.rest.predicted.instances")
        .description("Instances scored by REST predict requests")
        .tags("model", model, "version", String.valueOf(c.version().version()))
        .register(meters).increment(n);
    return HttpResponse.bytes(answer(target, request.columnar(), n, out), "application/json");
  }

  /** Raw mode: each instance's object decoded in place and featurized by the version's pipeline. */
  private static SparseRows featurize(FrozenPipeline pipeline, byte[] body, PredictRequest request) {
    JsonRecordDecoder decoder = new JsonRecordDecoder(pipeline.spec().paths());
    int[] ranges = request.ranges();
    SparseRows rows = new SparseRows(pipeline.layout(), request.count());
    for (int i = 0; i < request.count(); i++) {
      try {
        InputRecord record = decoder.decode(body, ranges[2 * i], ranges[2 * i + 1]);
        pipeline.featurize(record, rows);
      } catch (BadRecordException e) {
        throw new HttpError(400, "instance " + i + ": " + e.getMessage());
      }
    }
    return rows;
  }

  private byte[] answer(ServedVersions.Target target, boolean columnar, int n, float[] out) {
    ServedModel.Current c = target.current();
    Signature sig = c.version().signature();
    int outputs = c.model().outputs();
    boolean classifier = sig.task() == Signature.Task.CLASSIFICATION;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + n * outputs * 16);
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      g.writeFieldName(columnar ? "outputs" : "predictions");
      g.writeStartArray();
      for (int i = 0; i < n; i++) {
        int from = i * outputs;
        if (classifier) {
          int k = ScoringBatch.predictedClass(out, from, outputs);
          String className = c.pipeline() != null ? c.pipeline().className(k) : sig.className(k);
          g.writeStartObject();
          g.writeFieldName("probabilities");
          writeFloats(g, out, from, outputs);
          g.writeFieldName("class_ids");
          g.writeStartArray();
          g.writeNumber(k);
          g.writeEndArray();
          g.writeFieldName("classes");
          g.writeStartArray();
          g.writeString(className != null ? className : String.valueOf(k));
          g.writeEndArray();
          g.writeEndObject();
        } else {
          writeFloats(g, out, from, outputs);
        }
      }
      g.writeEndArray();
      g.writeStringField("model_version", String.valueOf(c.version().version()));
      if (target.alias() != null) {
        g.writeStringField("alias", target.alias());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  private static void writeFloats(JsonGenerator g, float[] v, int from, int count) throws IOException {
    g.writeStartArray();
    for (int k = 0; k < count; k++) {
      g.writeNumber(v[from + k]);
    }
    g.writeEndArray();
  }

  /** GET: TF Serving's model status of the served versions, or of the one asked for. */
  HttpResponse status(String name, String version, String label) {
    if (name.endsWith(":predict")) {
      throw new HttpError(405, "predict is a POST: POST /v1/models/" + name + " with {\"instances\": [...]}");
    }
    List<Object> statuses = new ArrayList<>();
    if (version == null && label == null) {
      versions.held(name).forEach(c -> statuses.add(available(c)));
    } else {
      statuses.add(available(versions.resolve(name, version, label).current()));
    }
    return HttpResponse.ok(Map.of("model_version_status", statuses));
  }

  private static Map<String, Object> available(ServedModel.Current c) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("version", String.valueOf(c.version().version()));
    s.put("state", "AVAILABLE");
    s.put("status", Map.of("error_code", "OK", "error_message", ""));
    return s;
  }
}
