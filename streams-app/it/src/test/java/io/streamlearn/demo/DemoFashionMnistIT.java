package io.streamlearn.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.data.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The demo on real data: Fashion-MNIST replayed through the whole loop, with the dashboard
 * reachable while it runs (showing versions, hold-out accuracy and images), and every event
 * predicted exactly once. A shorter run than the README's 120 s check (>= 0.80), with a lower bar:
 * the accuracy of the last 1000 predictions swings by a few points with the load of the machine.
 * Skipped where the Debian data set is not installed.
 */
class DemoFashionMnistIT {
  @Test
  void fashionMnistIsLearnedAndTheDashboardShowsIt() throws Exception {
    Path dir = Path.of(FashionMnist.DEFAULT_DIR);
    Assumptions.assumeTrue(FashionMnist.availableAt(dir),
        "Fashion-MNIST is not installed in " + dir + " (apt-get install dataset-fashion-mnist); skipping");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Demo demo = new Demo(DemoConfig.fromArgs(List.of("--dataset", "fashion-mnist", "--duration", "40",
        "--http-port", "0", "--progress-interval-ms", "2000"), Map.of()), out);
    CompletableFuture<Map<String, Object>> run = CompletableFuture.supplyAsync(() -> {
      try {
        return demo.run();
      } catch (Exception e) {
        throw new IllegalStateException("demo failed", e);
      }
    });
    // The printed URL, while the demo runs.
    Pattern url = Pattern.compile("dashboard: (http://localhost:\\d+/)");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Matcher m = url.matcher(bytes.toString(StandardCharsets.UTF_8));
    while (!m.find() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      m = url.matcher(bytes.toString(StandardCharsets.UTF_8));
    }
    assertTrue(m.find(0), "the demo prints the dashboard URL: " + bytes.toString(StandardCharsets.UTF_8));
    String base = m.group(1);
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    JsonNode state = null;
    long stateDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < stateDeadline) {
      state = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "api/state")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      if (state.get("versions").size() >= 2 && state.get("totals").get("heldOutPredictions").asLong() > 0
          && state.get("latest").size() > 0 && state.get("latest").get(0).has("image")) {
        break;
      }
      Thread.sleep(500);
    }
    assertTrue(state.get("versions").size() >= 2, "versions on the dashboard: " + state.get("versions"));
    assertTrue(state.get("totals").get("heldOutPredictions").asLong() > 0, "hold-out scored: " + state.get("totals"));
    assertEquals(784, state.get("latest").get(0).get("image").size(), "a 28x28 image next to a prediction");
    assertEquals("T-shirt/top", state.get("classNames").get(0).asText());
    assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "the page");

    Map<String, Object> summary = run.get(180, TimeUnit.SECONDS);
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("60,000 training images loaded"), "loading progress: " + output);
    assertEquals(summary.get("eventsProduced"), summary.get("distinctPredictedEvents"),
        "every event has a prediction: " + summary);
    assertEquals(0L, summary.get("duplicatePredictions"), "exactly one each: " + summary);
    double accuracy = (Double) summary.get("prequentialAccuracy");
    double heldOut = (Double) summary.get("heldOutAccuracy");
    assertTrue(accuracy >= 0.70, "prequential accuracy after 40 s >= 0.70 (chance: 0.10), found " + summary);
    assertTrue(heldOut >= 0.70, "hold-out accuracy after 40 s >= 0.70, found " + summary);
    assertEquals("fashion-mnist", summary.get("dataset"));
    // the evaluation ran in-process: the leak-free served figure and the leaked count
    long evaluated = (Long) summary.get("evaluatedPredictions");
    long leaked = (Long) summary.get("leakedPredictions");
    double served = (Double) summary.get("servedAccuracy");
    assertTrue(evaluated > 0, "leak-free evaluations: " + summary);
    assertTrue(leaked >= 0, "leaked count: " + summary);
    assertTrue(served >= 0.60, "served (leak-free) accuracy after 40 s >= 0.60, found " + summary);
    org.slf4j.LoggerFactory.getLogger(DemoFashionMnistIT.class).info("served {} ({} evaluated, {} leaked),"
        + " served tally {}, trainer {}", served, evaluated, leaked, accuracy, summary.get("trainerPrequentialAccuracy"));
  }
}
