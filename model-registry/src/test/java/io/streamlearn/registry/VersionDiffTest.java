package io.streamlearn.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VersionDiffTest {
  @Test
  void summarizesWhatChanged() {
    ModelVersion a = Samples.dense("m", 1, 3, 2, 0f);
    ModelVersion b = Samples.dense("m", 2, 3, 2, 0.5f);
    VersionDiff d = VersionDiff.of(a, b);
    assertEquals("m:1", d.from());
    assertEquals("m:2", d.to());
    assertTrue(d.architecture().isEmpty(), "same architecture");
    assertFalse(d.signatureChanged());
    assertArrayEquals(new long[] {100, 200}, d.examplesSeen());
    assertEquals(0.01, d.metrics().get("holdoutAccuracy")[2], 1e-12);
    VersionDiff.TensorDelta w = d.tensors().stream().filter(t -> t.name().equals("layers.0.weight")).findFirst().orElseThrow();
    assertEquals("changed", w.status());
    assertEquals(0.5, w.maxAbsDelta(), 1e-6);
    assertEquals(Math.sqrt(6 * 0.25), w.l2Delta(), 1e-6);
    VersionDiff.TensorDelta bias = d.tensors().stream().filter(t -> t.name().equals("layers.0.bias")).findFirst().orElseThrow();
    assertEquals("unchanged", bias.status());
    ModelVersion c = Samples.dense("m", 3, 3, 4, 0f);
    assertEquals(List.of("reshaped", "reshaped"),
        VersionDiff.of(a, c).tensors().stream().map(VersionDiff.TensorDelta::status).toList());
  }
}
