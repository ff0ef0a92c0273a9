package io.streamlearn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamlearn.app.Artifacts;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InferenceMetricsTest {
  private static ServedModel.Current current(long version, long publishedAt, long swappedAt) {
    ModelVersion v = ModelVersion.create("m", version, version - 1, Instant.EPOCH, "dense(2,softmax)",
        new Signature(1, Signature.Task.CLASSIFICATION, 2, List.of(), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {1, 2}, new float[2]),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[2])),
        new Lineage(List.of(), 0, 0, Map.of(), 1, "test"), Map.of());
    return new ServedModel.Current(v, Artifacts.toModel(v), swappedAt, publishedAt, 0, 0);
  }

  private static InferenceMetrics metrics(ServedModel served) {
    return new InferenceMetrics(new SimpleMeterRegistry(), "m", "live", served, null, null);
  }

  @Test
  void percentilesAreNearestRank() {
    long[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assertEquals(5, InferenceMetrics.percentile(v, 0.5));
    assertEquals(10, InferenceMetrics.percentile(v, 0.99));
    assertEquals(1, InferenceMetrics.percentile(v, 0.0));
    assertEquals(-1, InferenceMetrics.percentile(new long[0], 0.5));
  }

  @Test
  void publicationToFirstPredictionIsRecordedOncePerVersionAndNotForAnOlderOne() {
    ServedModel served = new ServedModel();
    InferenceMetrics m = metrics(served);
    ServedModel.Current v1 = current(1, 1_000, 1_100);
    ServedModel.Current v2 = current(2, 2_000, 2_050);
    long[] lat = {100, 200, 300};
    m.recordBatch(v1, 2, lat, 1_250, 1);
    m.recordBatch(v1, 1, lat, 1_300, 2);
    m.recordBatch(v2, 3, lat, 2_400, 3);
    m.recordBatch(v1, 1, lat, 2_410, 4); // another thread still on the old version
    assertArrayEquals(new long[] {250, 400}, m.publicationToFirstPredictionMillis());
    assertEquals(7, m.getPredictionsTotal());
    assertEquals(7 / 4.0, m.getMeanBatchSize(), 1e-9);
    assertEquals(400, m.getLastPublicationToFirstPredictionMillis());
  }

  @Test
  void largestGapBetweenBatchesResetsWhenTaken() {
    InferenceMetrics m = metrics(new ServedModel());
    ServedModel.Current v1 = current(1, -1, 0);
    long[] lat = {1};
    m.recordBatch(v1, 1, lat, 0, 1_000_000);
    m.recordBatch(v1, 1, lat, 0, 6_000_000);
    m.recordBatch(v1, 1, lat, 0, 8_000_000);
    assertEquals(5_000_000, m.takeMaxGapNanos());
    assertEquals(0, m.takeMaxGapNanos());
    assertEquals(0, m.publicationToFirstPredictionMillis().length, "unknown publication time is not a sample");
  }

  @Test
  void aVersionsCounterIsRemovedAfterFourNewerOnesAndTheTotalKeepsItsCount() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    InferenceMetrics m = new InferenceMetrics(meters, "m", "live", new ServedModel(), null, null);
    long[] lat = {1, 1};
    for (long v = 1; v <= 6; v++) {
      m.recordBatch(current(v, -1, v), 2, lat, v, v);
    }
    assertNull(meters.find(InferenceMetrics.PREDICTIONS).tag("version", "1").counter(), "version 1 retired");
    assertNull(meters.find(InferenceMetrics.PREDICTIONS).tag("version", "2").counter(), "version 2 retired");
    assertEquals(2.0, meters.get(InferenceMetrics.PREDICTIONS).tag("version", "3").counter().count());
    assertEquals(4, meters.find(InferenceMetrics.PREDICTIONS).counters().size());
    assertEquals(12, m.getPredictionsTotal(), "retired counts stay in the total");
  }

  @Test
  void thePrometheusScrapeNamesFollowPrometheusConventions() {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ServedModel served = new ServedModel();
    InferenceMetrics m = new InferenceMetrics(meters, "m", "live", served, "challenger", new ServedModel());
    m.recordBatch(current(3, 1_000, 1_100), 2, new long[] {700, 3_000}, 1_500, 1);
    m.recordShadow(current(4, -1, 0), 1);
    m.recordDeadLetter();
    String text = meters.scrape();
    assertTrue(text.contains("streamlearn_predictions_total{alias=\"live\",model=\"m\",version=\"3\"} 2.0"), text);
    assertTrue(text.contains("streamlearn_predictions_total{alias=\"challenger\",model=\"m\",version=\"4\"} 1.0"),
        text);
    assertTrue(text.contains("streamlearn_prediction_latency_seconds_bucket{alias=\"live\",model=\"m\",le=\"0.001\"} 1"),
        "a 0.7 ms and a 3 ms latency: one in the 1 ms bucket\n" + text);
    for (String family : new String[] {"streamlearn_inference_swaps_total", "streamlearn_inference_refused_versions_total",
        "streamlearn_inference_dead_letters_total", "streamlearn_inference_queued_events",
        "streamlearn_inference_served_version", "streamlearn_inference_publication_to_first_prediction_seconds_count",
        "streamlearn_inference_batch_size_rows_count"}) {
      assertTrue(text.contains(family + "{"), family + " in\n" + text);
    }
    assertTrue(text.contains("streamlearn_inference_refused_versions_total{alias=\"live\",model=\"m\",reason=\"warm_up\"} 0.0"),
        "every reason is a series from the start\n" + text);
  }

  @Test
  void theStatusLineSaysNoModelYetInsteadOfAVersionAndLatenciesThatDoNotExist() {
    InferenceMetrics m = new InferenceMetrics(new SimpleMeterRegistry(), "blobs", "live", new ServedModel(),
        "challenger", new ServedModel());
    String line = m.statusLine();
    assertTrue(line.startsWith("no model yet for blobs@live (shadow: no model yet) | 0 predictions/s, 0 total"
        + " | latency - |"), line);
    assertFalse(line.contains("v-1") || line.contains("-0.0"), line);
  }
}
