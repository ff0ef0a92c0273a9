package io.streamlearn.registry;

import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Deterministic model versions for tests. */
final class Samples {
  private Samples() {}

  /** A version of model {@code name} with a dense layer of {@code in x out} weights, values by formula. */
  static ModelVersion dense(String name, long version, int in, int out, float shift) {
    float[] w = new float[in * out];
    for (int i = 0; i < w.length; i++) {
      w[i] = (i % 17) * 0.25f - 2f + shift;
    }
    float[] b = new float[out];
    for (int i = 0; i < out; i++) {
      b[i] = 0.5f - i * 0.125f;
    }
    float[] offset = new float[in];
    float[] scale = new float[in];
    for (int i = 0; i < in; i++) {
      offset[i] = i * 0.5f;
      scale[i] = 1f / (1 + i % 3);
    }
    return ModelVersion.create(name, version, version - 1, Instant.ofEpochMilli(1_700_000_000_000L + version),
        "dense(" + out + ",softmax)",
        new Signature(in, Signature.Task.CLASSIFICATION, out, List.of(), "SOFTMAX_CROSS_ENTROPY"),
        new Preprocessing("standard", offset, scale),
        List.of(new NamedTensor("layers.0.weight", new int[] {in, out}, w),
            new NamedTensor("layers.0.bias", new int[] {out}, b)),
        new Lineage(List.of(new OffsetRange("streamlearn.labeled", 0, 100 * (version - 1), 100 * version)),
            100 * version, 100, Map.of("optimizer", "adam", "learning.rate", "0.01"), 42, "0.1.0"),
        Map.of("prequentialAccuracy", 0.5 + version / 100.0, "holdoutAccuracy", 0.6 + version / 100.0));
  }

  /** The same with explicit metrics. */
  static ModelVersion withMetrics(ModelVersion v, Map<String, Double> metrics) {
    return new ModelVersion(v.name(), v.version(), v.parentVersion(), v.createdAt(), v.architecture(),
        v.signature(), v.preprocessing(), v.tensors(), v.checksum(), v.lineage(), metrics, v.annotations());
  }
}
