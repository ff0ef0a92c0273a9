package io.streamlearn.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
    InferenceMetrics m = new InferenceMetrics(served, null);
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
    InferenceMetrics m = new InferenceMetrics(new ServedModel(), null);
    ServedModel.Current v1 = current(1, -1, 0);
    long[] lat = {1};
    m.recordBatch(v1, 1, lat, 0, 1_000_000);
    m.recordBatch(v1, 1, lat, 0, 6_000_000);
    m.recordBatch(v1, 1, lat, 0, 8_000_000);
    assertEquals(5_000_000, m.takeMaxGapNanos());
    assertEquals(0, m.takeMaxGapNanos());
    assertEquals(0, m.publicationToFirstPredictionMillis().length, "unknown publication time is not a sample");
  }
}
