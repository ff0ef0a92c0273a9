package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.app.Artifacts;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.app.OpsServer;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.Prediction;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.testkit.RandomModels;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The predict API of a running inference service on the embedded broker: the same inputs give the
 * same scores and the same version over REST as on the predictions topic, for events and for raw
 * JSON records; its requests are counted on {@code /metrics}, read with the Prometheus client's
 * own text parser.
 */
class PredictApiIT extends BrokerIT {
  private static final Logger log = LoggerFactory.getLogger(PredictApiIT.class);
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(16,relu) > dense(4,softmax)";
  private static final int EVENTS = 40;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void restPredictionsOfEventsMatchTheStreamsScoresAndVersion() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "rest");
    h.createTopics();
    Map<String, Object> client = KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of());
    try (KafkaRegistry registry = KafkaRegistry.open(client, h.topic(CommonKeys.MODELS_TOPIC));
         OpsServer ops = new OpsServer("inference");
         InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()).settings(), ops)) {
      int port = ops.start(HttpSettings.loopback(0)).orElseThrow();
      String base = "http://127.0.0.1:" + port + "/v1/models/rest";
      inference.start();
      HttpResponse<String> early = post(base + ":predict", "{\"instances\": [[0,0,0,0,0,0,0,0]]}");
      assertEquals(503, early.statusCode(), "no version yet: " + early.body());
      assertTrue(early.body().contains("no version of model 'rest' is loaded yet"), early.body());

      registry.publish(RandomModels.random("rest", 1, FEATURES, LAYERS, 1, Map.of()));
      registry.publish(RandomModels.random("rest", 2, FEATURES, LAYERS, 2, Map.of()));
      registry.setAlias("rest", "live", 2, "it", "serve version 2");
      LoopHarness.await(() -> inference.served().current() != null
              && inference.served().current().version().version() == 2, Duration.ofSeconds(60),
          () -> "inference serves version 2, state " + inference.state());

      List<String> ids = h.produce(new GaussianBlobs(4, FEATURES, 7, 0.0), 0, EVENTS, 2, 1000);
      Map<String, Prediction> streamed = readPredictions(h, ids.size());
      GaussianBlobs replay = new GaussianBlobs(4, FEATURES, 7, 0.0); // the same seed: the same features
      StringBuilder body = new StringBuilder("{\"instances\": [");
      for (int i = 0; i < EVENTS; i++) {
        Example e = replay.next();
        body.append(i == 0 ? "" : ",").append(JSON.writeValueAsString(e.features()));
      }
      HttpResponse<String> answer = post(base + ":predict", body.append("]}").toString());
      assertEquals(200, answer.statusCode(), answer.body());
      JsonNode json = JSON.readTree(answer.body());
      assertEquals("2", json.get("model_version").asText(), "the version the stream serves");
      assertEquals("live", json.get("alias").asText());
      for (int i = 0; i < EVENTS; i++) {
        Prediction p = streamed.get(ids.get(i));
        assertEquals(2L, p.getModelVersion(), "the stream's version for " + ids.get(i));
        JsonNode rest = json.get("predictions").get(i);
        assertScores(p.getScores(), rest.get("probabilities"), ids.get(i));
        assertEquals(p.getPredictedClass().intValue(), rest.get("class_ids").get(0).asInt(), ids.get(i));
      }

      log.info("REST and the stream agree on the scores of {} events, version 2", EVENTS);

      // Version 1 is not served: the API prepares it from the registry records the instance holds.
      HttpResponse<String> v1 = post(base + "/versions/1:predict", "{\"instances\": [[1,2,3,4,5,6,7,8]]}");
      assertEquals(200, v1.statusCode(), v1.body());
      float[] expected = Artifacts.toModel(RandomModels.random("rest", 1, FEATURES, LAYERS, 1, Map.of()))
          .predict(new float[] {1, 2, 3, 4, 5, 6, 7, 8});
      JsonNode v1Scores = JSON.readTree(v1.body()).at("/predictions/0/probabilities");
      for (int k = 0; k < expected.length; k++) {
        assertEquals(expected[k], v1Scores.get(k).floatValue(), 1e-6, "version 1, output " + k);
      }
      HttpResponse<String> missing = post(base + "/labels/champion:predict", "{\"instances\": [[1,2,3,4,5,6,7,8]]}");
      assertEquals(404, missing.statusCode(), missing.body());
      HttpResponse<String> wide = post(base + ":predict", "{\"instances\": [[1,2,3]]}");
      assertEquals(400, wide.statusCode());
      assertTrue(wide.body().contains("instance 0: wrong feature count: expected 8, found 3"), wide.body());
      HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals("2", JSON.readTree(status.body()).at("/model_version_status/0/version").asText(), status.body());
      assertEquals("AVAILABLE", JSON.readTree(status.body()).at("/model_version_status/0/state").asText());

      Map<String, Double> samples = scrape(port);
      assertEquals(1.0, samples.get("streamlearn_rest_predictions_total{model=rest,outcome=ok,version=2}"),
          "the counted requests: " + samples.keySet());
      assertEquals(1.0, samples.get("streamlearn_rest_predictions_total{model=rest,outcome=unavailable,version=none}"));
      assertEquals(1.0, samples.get("streamlearn_rest_predictions_total{model=rest,outcome=bad_request,version=2}"));
      assertEquals((double) EVENTS, samples.get("streamlearn_rest_predicted_instances_total{model=rest,version=2}"));
      assertTrue(samples.containsKey("streamlearn_rest_predict_duration_seconds_count{model=rest,outcome=ok}"),
          "the latency timer: " + samples.keySet());
    }
  }

  @Test
  void restPredictionsOfRawJsonRecordsMatchTheStreamsScoresThroughTheVersionsPipeline() throws Exception {
    LoopHarness h = new LoopHarness(kafka, "flights");
    h.createTopics();
    String topic = h.topic(CommonKeys.FEATURES_TOPIC);
    Map<String, Object> client = KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of());
    Map<String, String> raw = Map.of(RawInputKeys.INPUT_FORMAT, "json", RawInputKeys.ID_FIELD, "id",
        InferenceConfig.INPUT_TOPICS, topic);
    try (KafkaRegistry registry = KafkaRegistry.open(client, h.topic(CommonKeys.MODELS_TOPIC));
         OpsServer ops = new OpsServer("inference");
         InferenceService inference = new InferenceService(h.inferenceConfig(raw).settings(), ops)) {
      int port = ops.start(HttpSettings.loopback(0)).orElseThrow();
      inference.start();
      registry.publish(flightsVersion());
      registry.setAlias("flights", "live", 1, "it", "serve version 1");
      LoopHarness.await(() -> inference.served().current() != null, Duration.ofSeconds(60),
          () -> "inference serves version 1, state " + inference.state());
      LoopHarness.await(() -> inference.state() == KafkaStreams.State.RUNNING, Duration.ofSeconds(60),
          () -> "inference runs, state " + inference.state());

      String[] origins = {"DTW", "LAS", "SEA"};
      Random random = new Random(11);
      List<String> records = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      try (KafkaProducer<String, byte[]> producer =
               new KafkaProducer<>(h.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < EVENTS; i++) {
          String id = "fl-" + i;
          String json = String.format(java.util.Locale.ROOT, "{\"id\":\"%s\",\"origin\":\"%s\",\"distance\":%.1f}",
              id, origins[random.nextInt(origins.length)], 100 + random.nextDouble() * 2000);
          producer.send(new ProducerRecord<>(topic, id, json.getBytes(StandardCharsets.UTF_8)));
          records.add(json);
          ids.add(id);
        }
        producer.flush();
      }
      Map<String, Prediction> streamed = readPredictions(h, ids.size());
      HttpResponse<String> answer = post("http://127.0.0.1:" + port + "/v1/models/flights/labels/live:predict",
          "{\"instances\": [" + String.join(",", records) + "]}");
      assertEquals(200, answer.statusCode(), answer.body());
      JsonNode json = JSON.readTree(answer.body());
      assertEquals("1", json.get("model_version").asText());
      for (int i = 0; i < EVENTS; i++) {
        Prediction p = streamed.get(ids.get(i));
        JsonNode rest = json.get("predictions").get(i);
        assertScores(p.getScores(), rest.get("probabilities"), ids.get(i));
        assertEquals(p.getPredictedLabel(), rest.get("classes").get(0).asText(), "the class name of " + ids.get(i));
      }
      HttpResponse<String> bad = post("http://127.0.0.1:" + port + "/v1/models/flights:predict",
          "{\"instances\": [" + records.get(0) + ", {\"origin\": \"DTW\"}]}");
      assertEquals(400, bad.statusCode());
      assertTrue(bad.body().contains("instance 1: field distance"), bad.body());
    }
  }

  private static void assertScores(List<Float> streamed, JsonNode rest, String id) {
    assertEquals(streamed.size(), rest.size(), "outputs of " + id);
    for (int k = 0; k < streamed.size(); k++) {
      // the stream and the request may run the forward pass in batches of other sizes: the same
      // model, up to the last bits of the matrix product
      assertEquals(streamed.get(k), rest.get(k).floatValue(), 1e-6, id + " output " + k + ": stream " + streamed
          + ", REST " + rest);
    }
  }

  private HttpResponse<String> post(String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Prediction> readPredictions(LoopHarness h, int count) {
    List<LoopHarness.Read> reads = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> reader = h.predictionsConsumer()) {
      LoopHarness.pollUntil(reader, reads, () -> reads.size() >= count, Duration.ofSeconds(90));
    }
    assertEquals(count, reads.size(), "one prediction per event on the topic");
    Map<String, Prediction> byId = new HashMap<>();
    reads.forEach(r -> byId.put(r.prediction().getId(), r.prediction()));
    return byId;
  }

  /**
   * Every sample of {@code /metrics} as the Prometheus client's parser reads it, keyed {@code
   * name{label=value,...}} with the labels sorted and the common {@code application} tag left out.
   */
  private static Map<String, Double> scrape(int port) {
    Map<String, Double> samples = new HashMap<>();
    for (PrometheusText.Family f : PrometheusText.scrape("http://127.0.0.1:" + port).families().values()) {
      for (PrometheusText.Sample s : f.samples()) {
        StringJoiner labels = new StringJoiner(",", "{", "}");
        new TreeMap<>(s.labels()).forEach((k, v) -> {
          if (!k.equals("application")) {
            labels.add(k + "=" + v);
          }
        });
        samples.put(s.name() + labels, s.value());
      }
    }
    return samples;
  }

  private static InputRecord flight(String origin, double distance) {
    return path -> switch (path) {
      case "origin" -> origin;
      case "distance" -> distance;
      case "status" -> origin.equals("LAS") ? "ontime" : "late";
      default -> null;
    };
  }

  /** A softmax over origin (one-hot) and scaled distance, with seeded weights; its pipeline learned 3 flights. */
  private static ModelVersion flightsVersion() {
    FeaturePipeline fitting = new FeaturePipeline(FeatureSpec.parse("origin:category(4), distance:numeric"),
        LabelSpec.parse("status"), 2);
    fitting.learn(flight("DTW", 100));
    fitting.learn(flight("LAS", 300));
    fitting.learn(flight("SEA", 2000));
    FrozenPipeline pipeline = fitting.freeze();
    int width = pipeline.layout().totalWidth();
    Random random = new Random(3);
    float[] weight = new float[width * 2];
    for (int k = 0; k < weight.length; k++) {
      weight[k] = (float) random.nextGaussian();
    }
    return ModelVersion.create("flights", 1, 0, Instant.EPOCH, "dense(2,softmax)",
        new Signature(width, Signature.Task.CLASSIFICATION, 2, pipeline.classes(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {width, 2}, weight),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[] {0.1f, -0.1f})),
        new Lineage(List.of(), 0, 0, Map.of(), 3, "it"), Map.of())
        .withFeaturePipeline(pipeline.toJson(), Artifacts.inputs(pipeline));
  }
}
