package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.app.OpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code /metrics} scrape as Prometheus itself reads it: the text goes through the Prometheus
 * client's own parser ({@code prometheus_client.parser}, Debian's python3-prometheus-client, which
 * {@code .ci/run} installs), so a scrape Prometheus would reject fails the test that reads it.
 *
 * <p>Family names are the parser's: a counter's without its {@code _total}, which its samples keep.
 */
public final class PrometheusText {
  private static final String PYTHON = "/usr/bin/python3";
  /** Prints each family of the text on stdin as JSON (non-finite values as text). */
  private static final String PARSE = String.join("\n",
      "import sys, json, math",
      "from prometheus_client.parser import text_string_to_metric_families",
      "out = []",
      "for f in text_string_to_metric_families(sys.stdin.read()):",
      "    out.append({'name': f.name, 'type': f.type, 'samples': [{'name': s.name, 'labels': s.labels,",
      "        'value': s.value if math.isfinite(s.value) else repr(s.value)} for s in f.samples]})",
      "print(json.dumps(out))");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One parsed sample. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** One parsed family: its name, type ({@code counter}, {@code gauge}, {@code histogram}, ...) and samples. */
  public record Family(String name, String type, List<Sample> samples) {}

  private final Map<String, Family> families;

  private PrometheusText(Map<String, Family> families) {
    this.families = Collections.unmodifiableMap(families);
  }

  /** GETs {@code base + /metrics}, checks the status and content type, and parses the body. */
  public static PrometheusText scrape(String base) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + OpsServer.METRICS_PATH))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), base + OpsServer.METRICS_PATH + " answers: " + r.body());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
          "the Prometheus text format: " + r.headers().map());
      return parse(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("scraping " + base + OpsServer.METRICS_PATH + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Parses Prometheus text with the Prometheus client's parser; text it rejects fails the test. */
  public static PrometheusText parse(String text) {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", PARSE).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(text.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the parser ends");
      assertEquals(0, p.exitValue(), "the Prometheus client's parser (python3-prometheus-client) reads the scrape: "
          + err);
      Map<String, Family> families = new LinkedHashMap<>();
      for (JsonNode f : JSON.readTree(out)) {
        List<Sample> samples = new ArrayList<>();
        for (JsonNode s : f.path("samples")) {
          Map<String, String> labels = new LinkedHashMap<>();
          s.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
          JsonNode v = s.path("value");
          samples.add(new Sample(s.path("name").asText(), labels, v.isNumber() ? v.asDouble() : nonFinite(v.asText())));
        }
        String name = f.path("name").asText();
        families.put(name, new Family(name, f.path("type").asText(), List.copyOf(samples)));
      }
      return new PrometheusText(families);
    } catch (IOException e) {
      throw new UncheckedIOException("running the Prometheus parser (" + PYTHON + ") failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static double nonFinite(String repr) {
    return switch (repr) {
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.NaN;
    };
  }

  /** Every family by name. */
  public Map<String, Family> families() {
    return families;
  }

  /** The family of that name; fails the test, listing what is there, when it is missing. */
  public Family family(String name) {
    Family f = families.get(name);
    if (f == null) {
      throw new AssertionError("no family " + name + " in the scrape; it has " + families.keySet());
    }
    return f;
  }

  /** Every sample of that sample name (e.g. {@code x_total}, {@code x_bucket}) whose labels match. */
  public List<Sample> samples(String sampleName, Predicate<Map<String, String>> labels) {
    return families.values().stream().flatMap(f -> f.samples().stream())
        .filter(s -> s.name().equals(sampleName) && labels.test(s.labels())).toList();
  }

  /** The sum of the samples of that name whose labels match; NaN when there is none. */
  public double sum(String sampleName, Predicate<Map<String, String>> labels) {
    List<Sample> found = samples(sampleName, labels);
    return found.isEmpty() ? Double.NaN : found.stream().mapToDouble(Sample::value).sum();
  }

  /** A label filter: the label has that value. */
  public static Predicate<Map<String, String>> label(String name, String value) {
    return labels -> value.equals(labels.get(name));
  }

  /** A label filter that takes every sample. */
  public static Predicate<Map<String, String>> any() {
    return labels -> true;
  }
}
