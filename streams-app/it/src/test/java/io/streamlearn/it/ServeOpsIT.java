package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.app.OpsServer;
import io.streamlearn.bench.RandomVersions;
import io.streamlearn.bench.VersionPublisher;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.gen.GaussianBlobs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code serve}'s operations surface on a real broker: readiness says "no model" until the first
 * version is loaded, then 200; {@code /metrics}, scraped twice while events flow and parsed by the
 * Prometheus client's own text parser (Python's {@code prometheus_client}), shows the prediction
 * counters moving, the latency histogram's buckets and the Kafka Streams binder's families; after a
 * normal close it is still live but no longer ready.
 */
class ServeOpsIT extends BrokerIT {
  private static final String MODEL = "ops";
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(16,relu) > dense(4,softmax)";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void readinessWaitsForTheFirstModelAndMetricsMoveWhileEventsFlow() throws Exception {
    LoopHarness h = new LoopHarness(kafka, MODEL);
    h.createTopics();
    ExecutorService producerThread = Executors.newSingleThreadExecutor();
    try (OpsServer ops = new OpsServer("inference");
         InferenceService service = new InferenceService(h.inferenceConfig(Map.of()).settings(), ops);
         VersionPublisher publisher = new VersionPublisher(kafka.bootstrapServers(), h.topic(CommonKeys.MODELS_TOPIC))) {
      String base = "http://127.0.0.1:" + ops.start(HttpSettings.loopback(0)).orElseThrow();
      service.start();

      // Streams comes up (RUNNING) with no version published: not ready, and the reason says why.
      AtomicReference<HttpResponse<String>> ready = new AtomicReference<>();
      LoopHarness.await(() -> {
        ready.set(get(base + "/health/ready"));
        return !ready.get().body().contains("Kafka Streams is");
      }, Duration.ofSeconds(60), () -> "Kafka Streams running, readiness says " + ready.get().body());
      assertEquals(503, ready.get().statusCode(), ready.get().body());
      JsonNode reasons = json.readTree(ready.get().body()).path("reasons");
      assertEquals("no model loaded yet for " + MODEL + "@live", reasons.path("inference.model").asText(),
          ready.get().body());
      assertEquals(200, get(base + "/health/live").statusCode(), "alive while waiting for a model");

      publisher.publish(RandomVersions.create(MODEL, 1, FEATURES, LAYERS, 7), "live");
      LoopHarness.await(() -> {
        ready.set(get(base + "/health/ready"));
        return ready.get().statusCode() == 200;
      }, Duration.ofSeconds(60), () -> "ready once version 1 is loaded, says " + ready.get().body());

      GaussianBlobs blobs = new GaussianBlobs(4, FEATURES, 11, 0.0);
      Future<?> stream = producerThread.submit(() -> h.produce(blobs, 0, 4_000, 3, 400));
      LoopHarness.await(() -> service.metrics().getPredictionsTotal() >= 200, Duration.ofSeconds(60),
          () -> "200 predictions, made " + service.metrics().getPredictionsTotal());
      PrometheusText first = PrometheusText.scrape(base);
      long firstTotal = service.metrics().getPredictionsTotal();
      LoopHarness.await(() -> service.metrics().getPredictionsTotal() >= firstTotal + 400, Duration.ofSeconds(60),
          () -> "400 more predictions, made " + (service.metrics().getPredictionsTotal() - firstTotal));
      PrometheusText second = PrometheusText.scrape(base);
      stream.get(60, TimeUnit.SECONDS);

      double before = predictions(first);
      double after = predictions(second);
      assertTrue(before >= 200 && after >= before + 400,
          "streamlearn_predictions_total moves between scrapes: " + before + " then " + after);
      PrometheusText.Family counter = second.family("streamlearn_predictions");
      assertEquals("counter", counter.type());
      PrometheusText.Sample live = counter.samples().get(0);
      assertEquals("streamlearn_predictions_total", live.name());
      assertEquals(Map.of("application", "inference", "model", MODEL, "version", "1", "alias", "live"), live.labels());

      PrometheusText.Family latency = second.family("streamlearn_prediction_latency_seconds");
      assertEquals("histogram", latency.type());
      List<PrometheusText.Sample> buckets = latency.samples().stream().filter(s -> s.name().endsWith("_bucket")).toList();
      assertTrue(buckets.stream().anyMatch(s -> "0.001".equals(s.labels().get("le"))), "a 1 ms bucket: " + buckets);
      // A scrape reads its meters one after another while the stream threads record, so compare with
      // the earlier scrape's count, whose predictions had their latency recorded before they were counted.
      double infBefore = latencyCount(first);
      double infAfter = latencyCount(second);
      assertTrue(infBefore >= 200 && infAfter >= before && infAfter > infBefore,
          "the +Inf bucket holds every prediction and moves: " + infBefore + " then " + infAfter
              + " (predictions " + before + " then " + after + ")");

      assertTrue(second.families().keySet().stream().anyMatch(f -> f.startsWith("kafka_stream_")),
          "Kafka Streams metrics through the binder: " + second.families().keySet());
      assertTrue(second.families().keySet().stream().anyMatch(f -> f.startsWith("kafka_producer_")),
          "producer metrics through the binders");
      for (String gauge : List.of("streamlearn_inference_served_version", "streamlearn_inference_queued_events")) {
        assertEquals("gauge", second.family(gauge).type(), gauge);
      }
      assertEquals(1.0, second.family("streamlearn_inference_served_version").samples().get(0).value());
      assertEquals(1.0, second.family("streamlearn_inference_swaps").samples().get(0).value());

      service.close();
      assertEquals(200, get(base + "/health/live").statusCode(), "a normal close is not a failure");
      HttpResponse<String> closed = get(base + "/health/ready");
      assertEquals(503, closed.statusCode());
      assertEquals("Kafka Streams is NOT_RUNNING", json.readTree(closed.body()).path("reasons")
          .path("inference.streams").asText(), closed.body());
    } finally {
      producerThread.shutdownNow();
    }
  }

  private HttpResponse<String> get(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static double latencyCount(PrometheusText scrape) {
    return scrape.sum("streamlearn_prediction_latency_seconds_bucket", PrometheusText.label("le", "+Inf"));
  }

  private static double predictions(PrometheusText scrape) {
    return scrape.sum("streamlearn_predictions_total", PrometheusText.label("alias", "live"));
  }
}
