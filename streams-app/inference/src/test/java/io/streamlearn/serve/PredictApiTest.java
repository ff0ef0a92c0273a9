package io.streamlearn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamlearn.app.Artifacts;
import io.streamlearn.app.RawInput;
import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.Signature;
import io.streamlearn.registry.http.HttpError;
import io.streamlearn.registry.http.HttpResponse;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.tensor.SparseRows;
import io.streamlearn.testkit.RandomModels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The predict API's handler against a served model: answers, versions, and every refusal with its reason. */
class PredictApiTest {
  private static final String MODEL = "m";
  private static final int FEATURES = 6;
  private static final String LAYERS = "dense(8,relu) > dense(3,softmax)";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final RegistryCodec codec = new RegistryCodec();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ServedModel primary = new ServedModel();
  private final ServedModel shadow = new ServedModel();
  private final Map<String, byte[]> registry = new HashMap<>();
  private final PredictApi api = new PredictApi(MODEL, "live", primary, "challenger", shadow, RawInput.EVENTS,
      registry::get, meters);

  private static ModelVersion random(long v) {
    return RandomModels.random(MODEL, v, FEATURES, LAYERS, v, Map.of());
  }

  private static ServedModel.Current current(ModelVersion v) {
    return new ServedModel.Current(v, Artifacts.toModel(v), 0L);
  }

  private void inRegistry(ModelVersion v, String alias) {
    registry.put(v.key(), codec.encode(v));
    if (alias != null) {
      AliasMove move = new AliasMove(MODEL, alias, v.version(), Instant.ofEpochMilli(v.version()), "test", "", 0);
      registry.put(move.key(), codec.encode(move));
    }
  }

  private static float[] row(long seed) {
    Random random = new Random(seed);
    float[] x = new float[FEATURES];
    for (int i = 0; i < FEATURES; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static String instances(float[]... rows) {
    StringBuilder b = new StringBuilder("{\"instances\":[");
    for (int r = 0; r < rows.length; r++) {
      b.append(r == 0 ? "" : ",").append('[');
      for (int i = 0; i < rows[r].length; i++) {
        b.append(i == 0 ? "" : ",").append(rows[r][i]);
      }
      b.append(']');
    }
    return b.append("]}").toString();
  }

  private static JsonNode body(HttpResponse r) throws Exception {
    assertEquals(200, r.status());
    return JSON.readTree(r.raw() != null ? r.raw() : JSON.writeValueAsBytes(r.json()));
  }

  private HttpError refused(String name, String version, String label, String body) {
    return assertThrows(HttpError.class, () -> api.predict(name, version, label, body.getBytes(StandardCharsets.UTF_8)));
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).floatValue();
    }
    return out;
  }

  @Test
  void aPredictionHasTheServedModelsScoresItsClassAndNamesTheVersionAndAlias() throws Exception {
    ServedModel.Current v3 = current(random(3));
    primary.swap(v3);
    float[] a = row(1);
    float[] b = row(2);
    JsonNode answer = body(api.predict(MODEL, null, null, instances(a, b).getBytes(StandardCharsets.UTF_8)));

    assertEquals("3", answer.get("model_version").asText(), "the version, as a string as TF Serving gives it");
    assertEquals("live", answer.get("alias").asText());
    assertEquals(2, answer.get("predictions").size());
    float[][] rows = {a, b};
    for (int i = 0; i < 2; i++) {
      JsonNode p = answer.get("predictions").get(i);
      float[] expected = v3.model().predict(rows[i]);
      assertArrayEquals(expected, floats(p.get("probabilities")), "instance " + i + " scored by the served model");
      int best = 0;
      for (int k = 1; k < expected.length; k++) {
        best = expected[k] > expected[best] ? k : best;
      }
      assertEquals(best, p.get("class_ids").get(0).asInt(), "the argmax class");
      assertEquals(String.valueOf(best), p.get("classes").get(0).asText(), "a version without class names: the index");
    }
    assertEquals(1.0, meters.get("streamlearn.rest.predictions")
        .tags("model", MODEL, "version", "3", "outcome", "ok").counter().count());
    assertEquals(2.0, meters.get("streamlearn.rest.predicted.instances").tags("version", "3").counter().count());
  }

  @Test
  void theColumnarInputsFormatIsAnsweredAsOutputs() throws Exception {
    ServedModel.Current v1 = current(random(1));
    primary.swap(v1);
    float[] a = row(5);
    String columnar = instances(a).replace("\"instances\"", "\"inputs\"");
    JsonNode answer = body(api.predict(MODEL, null, null, columnar.getBytes(StandardCharsets.UTF_8)));
    assertArrayEquals(v1.model().predict(a), floats(answer.get("outputs").get(0).get("probabilities")));
  }

  @Test
  void beforeTheFirstVersionAPredictionIs503WithTheReason() {
    HttpError e = refused(MODEL, null, null, instances(row(1)));
    assertEquals(503, e.status());
    assertEquals("no version of model 'm' is loaded yet: waiting for alias 'live' on the registry topic to name a"
        + " version this instance can serve", e.getMessage());
    assertEquals(503, assertThrows(HttpError.class, () -> api.status(MODEL, null, null)).status(),
        "the model status says the same");
    assertEquals(1.0, meters.get("streamlearn.rest.predictions").tags("outcome", "unavailable").counter().count());
  }

  @Test
  void malformedRequestsAre400WithTheReasonAndTheIndexOfTheBadInstance() {
    primary.swap(current(random(1)));
    String good = "[1,2,3,4,5,6]";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"instances\": [" + good + ",", "request body is not valid JSON: Unexpected end-of-input");
    cases.put("[" + good + "]", "request body must be a JSON object");
    cases.put("{\"rows\": [" + good + "]}", "unknown member 'rows'");
    cases.put("{}", "missing 'instances'");
    cases.put("{\"instances\": []}", "'instances' is empty");
    cases.put("{\"instances\": [" + good + ", [1,2,3]]}", "instance 1: wrong feature count: expected 6, found 3");
    cases.put("{\"instances\": [" + good + ", [1,2,3,4,5,6,7]]}", "instance 1: wrong feature count: expected 6");
    cases.put("{\"instances\": [[1,2,\"x\",4,5,6]]}", "instance 0: feature 2 must be a number, found a string");
    cases.put("{\"instances\": [" + good + "," + good + ", [1,2,3,NaN,5,6]]}", "instance 2: feature 3 is NaN");
    cases.put("{\"instances\": [[1,2,3,4,5,1e999]]}", "instance 0: feature 5 is Infinity");
    cases.put("{\"instances\": [{\"a\": 1}]}", "instance 0 must be an array of 6 numbers, found an object");
    cases.put("{\"instances\": " + good + "}", "instance 0 must be an array of 6 numbers, found a number");
    cases.put("{\"instances\": [" + good + "], \"inputs\": [" + good + "]}", "give either 'instances' or 'inputs'");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpError e = refused(MODEL, null, null, c.getKey());
      assertEquals(400, e.status(), c.getKey());
      assertTrue(e.getMessage().startsWith(c.getValue()), c.getKey() + " -> " + e.getMessage());
    }
    StringBuilder many = new StringBuilder("{\"instances\": [");
    for (int i = 0; i <= PredictApi.MAX_INSTANCES; i++) {
      many.append(i == 0 ? "" : ",").append(good);
    }
    HttpError tooMany = refused(MODEL, null, null, many.append("]}").toString());
    assertEquals("more than 1024 instances in one request; split it", tooMany.getMessage());
    assertEquals(cases.size() + 1.0, meters.get("streamlearn.rest.predictions").tags("outcome", "bad_request")
        .counter().count());
  }

  @Test
  void anUnknownModelVersionOrAliasIs404NamingWhatIsServed() {
    primary.swap(current(random(3)));
    HttpError name = refused("other", null, null, instances(row(1)));
    assertEquals(404, name.status());
    assertEquals("no model 'other' here: this instance serves model 'm' (m@live (version 3) and m@challenger"
        + " (no version yet))", name.getMessage());
    HttpError version = refused(MODEL, "9", null, instances(row(1)));
    assertEquals(404, version.status());
    assertEquals("model 'm' has no version 9 in the registry; this instance serves m@live (version 3) and"
        + " m@challenger (no version yet)", version.getMessage());
    HttpError alias = refused(MODEL, null, "canary", instances(row(1)));
    assertEquals(404, alias.status());
    assertTrue(alias.getMessage().startsWith("model 'm' has no alias 'canary' in the registry"), alias.getMessage());
    assertEquals(400, refused(MODEL, "v2", null, instances(row(1))).status(), "a version is a number");
    assertEquals(503, refused(MODEL, null, "challenger", instances(row(1))).status(),
        "the shadow alias is followed but names no version yet");
    assertEquals(404, assertThrows(HttpError.class, () -> api.status(MODEL, "9", null)).status(),
        "no status for a version the registry does not have");
    HttpError get = assertThrows(HttpError.class, () -> api.status(MODEL + ":predict", null, null));
    assertEquals(405, get.status(), "a GET of the predict path is the wrong method, not an unknown model");
    assertEquals("predict is a POST: POST /v1/models/m:predict with {\"instances\": [...]}", get.getMessage());
  }

  @Test
  void otherVersionsAndAliasesAreServedFromTheRegistryViewAndTheShadowFromItsHolder() throws Exception {
    ModelVersion v1 = random(1);
    ModelVersion v2 = random(2);
    ServedModel.Current v3 = current(random(3));
    ServedModel.Current v4 = current(random(4));
    primary.swap(v3);
    shadow.swap(v4);
    inRegistry(v1, "champion");
    inRegistry(v2, null);
    float[] x = row(7);
    byte[] body = instances(x).getBytes(StandardCharsets.UTF_8);

    JsonNode byVersion = body(api.predict(MODEL, "2", null, body));
    assertEquals("2", byVersion.get("model_version").asText());
    assertTrue(byVersion.get("alias") == null, "no held alias names version 2");
    assertArrayEquals(Artifacts.toModel(v2).predict(x), floats(byVersion.get("predictions").get(0).get("probabilities")));

    JsonNode byAlias = body(api.predict(MODEL, null, "champion", body));
    assertEquals("1", byAlias.get("model_version").asText());
    assertEquals("champion", byAlias.get("alias").asText());
    assertArrayEquals(Artifacts.toModel(v1).predict(x), floats(byAlias.get("predictions").get(0).get("probabilities")));

    JsonNode byShadow = body(api.predict(MODEL, null, "challenger", body));
    assertEquals("4", byShadow.get("model_version").asText());
    assertArrayEquals(v4.model().predict(x), floats(byShadow.get("predictions").get(0).get("probabilities")));
    JsonNode servedByNumber = body(api.predict(MODEL, "3", null, body));
    assertEquals("live", servedByNumber.get("alias").asText(), "the served version asked by number names its alias");

    JsonNode status = body(api.status(MODEL, null, null));
    assertEquals("3", status.at("/model_version_status/0/version").asText());
    assertEquals("AVAILABLE", status.at("/model_version_status/0/state").asText());
    assertEquals("OK", status.at("/model_version_status/0/status/error_code").asText());
    assertEquals("4", status.at("/model_version_status/1/version").asText(), "the shadow version is held too");
    assertEquals("1", body(api.status(MODEL, null, "champion")).at("/model_version_status/0/version").asText());
  }

  @Test
  void aRegistryViewThatCannotBeReadNowIs503() {
    primary.swap(current(random(3)));
    PredictApi closed = new PredictApi(MODEL, "live", primary, null, null, RawInput.EVENTS, key -> {
      throw new IllegalStateException("Kafka Streams is REBALANCING");
    }, meters);
    HttpError e = assertThrows(HttpError.class, () -> closed.predict(MODEL, "2", null,
        instances(row(1)).getBytes(StandardCharsets.UTF_8)));
    assertEquals(503, e.status());
    assertEquals("the registry view of this instance cannot be read now (Kafka Streams is REBALANCING); it serves"
        + " m@live (version 3)", e.getMessage());
  }

  @Test
  void rawInstancesAreJsonRecordsFeaturizedByTheVersionsPipelineAndARefusedOneIs400NamingItsField() throws Exception {
    ServedModel.Current raw = rawVersion();
    ServedModel rawServed = new ServedModel();
    rawServed.swap(raw);
    PredictApi rawApi = new PredictApi(MODEL, "live", rawServed, null, null,
        RawInput.json(null, null, "id"), null, meters);
    String body = "{\"instances\": [{\"id\": \"a\", \"origin\": \"DTW\", \"distance\": 100, \"extra\": [1, {\"x\": 2}]},"
        + " {\"origin\": \"LAS\", \"distance\": 300}]}";
    JsonNode answer = body(rawApi.predict(MODEL, null, null, body.getBytes(StandardCharsets.UTF_8)));
    assertEquals("late", answer.at("/predictions/0/classes/0").asText(), "DTW is late, by the class name of the pipeline");
    assertEquals("ontime", answer.at("/predictions/1/classes/0").asText());
    assertTrue(answer.at("/predictions/0/probabilities/0").floatValue() > 0.9f, answer.toString());

    HttpError missing = assertThrows(HttpError.class, () -> rawApi.predict(MODEL, null, null,
        "{\"instances\": [{\"origin\": \"DTW\", \"distance\": 1}, {\"origin\": \"LAS\"}]}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(400, missing.status());
    assertTrue(missing.getMessage().startsWith("instance 1: field distance: "), missing.getMessage());
    HttpError notObject = assertThrows(HttpError.class, () -> rawApi.predict(MODEL, null, null,
        "{\"instances\": [[1, 2]]}".getBytes(StandardCharsets.UTF_8)));
    assertEquals("instance 0 must be a JSON object (a record), found an array", notObject.getMessage());
  }

  private static InputRecord flight(String origin, double distance, String status) {
    return path -> switch (path) {
      case "origin" -> origin;
      case "distance" -> distance;
      case "status" -> status;
      default -> null;
    };
  }

  /** A one-layer softmax over origin (one-hot) and distance whose weights send DTW to 'late', LAS to 'ontime'. */
  private static ServedModel.Current rawVersion() {
    FeaturePipeline fitting = new FeaturePipeline(FeatureSpec.parse("origin:category(4), distance:numeric"),
        LabelSpec.parse("status"), 2);
    fitting.learn(flight("DTW", 100, "late"));
    fitting.learn(flight("LAS", 300, "ontime"));
    FrozenPipeline pipeline = fitting.freeze();
    int width = pipeline.layout().totalWidth();
    float[] weight = new float[width * 2];
    for (String[] f : new String[][] {{"DTW", "late"}, {"LAS", "ontime"}}) {
      SparseRows row = new SparseRows(pipeline.layout(), 1);
      pipeline.featurize(flight(f[0], 0, f[1]), row);
      int input = pipeline.layout().denseWidth() + row.slots()[0];
      weight[input * 2 + pipeline.label(flight(f[0], 0, f[1])).classIndex()] = 5f;
    }
    ModelVersion v = ModelVersion.create(MODEL, 1, 0, Instant.EPOCH, "dense(2,softmax)",
        new Signature(width, Signature.Task.CLASSIFICATION, 2, pipeline.classes(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {width, 2}, weight),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[2])),
        new Lineage(List.of(), 0, 0, Map.of(), 1, "test"), Map.of())
        .withFeaturePipeline(pipeline.toJson(), Artifacts.inputs(pipeline));
    return new ServedModel.Current(v, Artifacts.toModel(v), 0L, -1, 0, 0, Artifacts.pipeline(v));
  }

  @Test
  void theCanaryAliasIsAHeldTargetAnsweredWithTheStreamsOwnVersionWithoutTheRegistry() throws Exception {
    ServedModel canary = new ServedModel();
    Map<String, ServedModel> others = new LinkedHashMap<>();
    others.put("canary", canary);
    PredictApi withCanary = new PredictApi(MODEL, "live", primary, others, RawInput.EVENTS, null, meters);
    primary.swap(current(random(3)));
    HttpError none = assertThrows(HttpError.class, () -> withCanary.predict(MODEL, null, "canary",
        instances(row(1)).getBytes(StandardCharsets.UTF_8)));
    assertEquals(503, none.status(), "held but no version yet: " + none.getMessage());
    ServedModel.Current v4 = current(random(4));
    canary.swap(v4);
    float[] a = row(7);
    JsonNode answer = body(withCanary.predict(MODEL, null, "canary", instances(a).getBytes(StandardCharsets.UTF_8)));
    assertEquals("4", answer.get("model_version").asText());
    assertEquals("canary", answer.get("alias").asText());
    assertArrayEquals(v4.model().predict(a), floats(answer.get("predictions").get(0).get("probabilities")));
    JsonNode byNumber = body(withCanary.predict(MODEL, "4", null, instances(a).getBytes(StandardCharsets.UTF_8)));
    assertEquals("canary", byNumber.get("alias").asText(), "a version asked by number names the alias holding it");
  }
}
