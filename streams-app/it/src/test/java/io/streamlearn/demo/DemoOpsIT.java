package io.streamlearn.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.it.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code demo --http-port P}: the dashboard's port also serves {@code /metrics}, with the trainer's,
 * inference's and the evaluation's {@code streamlearn_} families moving while the demo runs, as the
 * README says ({@code curl localhost:P/metrics}); and its dashboard shows the in-process
 * evaluation's served figures.
 */
class DemoOpsIT {
  private static final Pattern DASHBOARD = Pattern.compile("dashboard: http://localhost:(\\d+)/");

  @Test
  void theDemosPortServesTheTrainersAndInferencesMetricsAndTheDashboardTheServedFigures() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Demo demo = new Demo(DemoConfig.fromArgs(List.of("--duration", "20", "--http-port", "0", "--kafka-port", "0",
        "--progress-interval-ms", "5000"), Map.of()), out);
    CompletableFuture<Map<String, Object>> run = CompletableFuture.supplyAsync(() -> {
      try {
        return demo.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    AtomicReference<String> base = new AtomicReference<>();
    await(() -> {
      Matcher m = DASHBOARD.matcher(bytes.toString(StandardCharsets.UTF_8));
      if (m.find()) {
        base.set("http://127.0.0.1:" + m.group(1));
      }
      return base.get() != null || run.isDone();
    }, () -> "the demo prints its dashboard's address: " + bytes.toString(StandardCharsets.UTF_8));
    assertTrue(base.get() != null, bytes.toString(StandardCharsets.UTF_8));

    AtomicReference<PrometheusText> scrape = new AtomicReference<>();
    await(() -> {
      scrape.set(PrometheusText.scrape(base.get()));
      return scrape.get().sum("streamlearn_examples_trained_total", PrometheusText.any()) > 0
          && scrape.get().sum("streamlearn_predictions_total", PrometheusText.any()) > 0
          && scrape.get().sum("streamlearn_evaluations_total", PrometheusText.any()) > 0;
    }, () -> "the trainer trains, inference predicts and the evaluation evaluates: "
        + scrape.get().families().keySet());
    PrometheusText metrics = scrape.get();
    assertEquals("counter", metrics.family("streamlearn_examples_trained").type());
    assertEquals("counter", metrics.family("streamlearn_predictions").type());
    assertEquals("histogram", metrics.family("streamlearn_prediction_latency_seconds").type());
    assertEquals("gauge", metrics.family("streamlearn_trainer_prequential_accuracy").type());
    assertEquals("gauge", metrics.family("streamlearn_served_accuracy").type());
    assertEquals("counter", metrics.family("streamlearn_rollbacks").type());
    metrics.family("jvm_memory_used_bytes");
    assertEquals("demo", metrics.family("streamlearn_predictions").samples().get(0).labels().get("application"));

    // the dashboard reads the served-metrics topic the demo's own evaluation writes
    HttpClient http = HttpClient.newHttpClient();
    AtomicReference<JsonNode> state = new AtomicReference<>();
    await(() -> {
      try {
        state.set(new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base.get() + "/api/state"))
            .build(), HttpResponse.BodyHandlers.ofString()).body()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
      for (JsonNode row : state.get().path("served")) {
        if (row.path("alias").asText().equals("live") && row.path("evaluated").asLong() > 0
            && row.path("accuracy").isNumber()) {
          return true;
        }
      }
      return false;
    }, () -> "the dashboard shows served figures of @live: " + state.get().path("served"));

    Map<String, Object> summary = run.get(120, TimeUnit.SECONDS);
    assertEquals(summary.get("eventsProduced"), summary.get("distinctPredictedEvents"),
        "still one prediction per event: " + summary);
  }

  private static void await(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 90 s: " + what.get());
      }
      Thread.sleep(200);
    }
  }
}
