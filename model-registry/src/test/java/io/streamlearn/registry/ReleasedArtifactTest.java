package io.streamlearn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.tensor.NamedTensor;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A registry saved by release 0.1.0 (float32 version, float16 export, chunked version, alias and
 * its history) must stay readable by every later release. Never regenerate the fixture: when the
 * format changes, keep the old writer schema in {@code writer-schemas/} so this test still passes.
 */
class ReleasedArtifactTest {
  @Test
  void theRegistrySavedByRelease010StillReads() throws Exception {
    List<RegistryCodec.KeyValue> records;
    try (InputStream in = getClass().getResourceAsStream(RegistryFixture.RESOURCE)) {
      assertNotNull(in, "fixture " + RegistryFixture.RESOURCE + " is missing");
      records = RegistryFixture.read(in);
    }
    RegistryState state = new RegistryState();
    for (RegistryCodec.KeyValue kv : records) {
      assertTrue(state.apply(kv.key(), kv.value()).isPresent(), "record " + kv.key() + " decodes");
    }
    assertEquals(List.of(1L, 2L, 3L), List.copyOf(state.versions("fixture").keySet()));

    ModelVersion v1 = state.version("fixture", 1).orElseThrow();
    assertEquals(Instant.ofEpochMilli(1_700_000_000_001L), v1.createdAt());
    assertEquals("dense(3,softmax)", v1.architecture());
    assertEquals(4, v1.signature().featureCount());
    assertEquals("standard", v1.preprocessing().kind());
    assertEquals(1.5f, v1.preprocessing().offset()[3]);
    float[] w = v1.tensor("layers.0.weight").data();
    for (int i = 0; i < w.length; i++) {
      assertEquals((i % 17) * 0.25f - 2f, w[i], "weight " + i);
    }
    assertEquals(Map.of("optimizer", "adam", "learning.rate", "0.01"), v1.lineage().hyperparameters());
    assertEquals(new OffsetRange("streamlearn.labeled", 0, 0, 100), v1.lineage().ranges().get(0));
    assertEquals(42, v1.lineage().seed());
    assertEquals(0.61, v1.metrics().get("holdoutAccuracy"), 1e-12);

    ModelVersion v2 = state.version("fixture", 2).orElseThrow();
    assertEquals(NamedTensor.DType.FLOAT16, v2.tensor("layers.0.weight").dtype());
    assertEquals("fixture:2", v2.annotations().get(InferenceExport.EXPORTED_FROM));
    assertEquals("foldScaler,float16", v2.annotations().get(InferenceExport.OPTIMIZATIONS));
    assertTrue(v2.preprocessing().isIdentity());

    ModelVersion v3 = state.version("fixture", 3).orElseThrow();
    assertTrue(state.chunking("fixture", 3).orElseThrow().count() > 1, "version 3 was stored in chunks");
    assertEquals(64 * 40, v3.tensor("layers.0.weight").size());
    assertEquals((5 % 17) * 0.25f - 2f + 0.5f, v3.tensor("layers.0.weight").data()[5]);

    assertEquals(3, state.aliased("fixture", "live").orElseThrow().version());
    assertEquals(List.of("alice", "bob"), state.history("fixture", "live").stream().map(AliasChange::changedBy).toList());
    assertTrue(state.history("fixture").stream().allMatch(AliasChange::recorded));
  }

  @Test
  void thisBuildStillWritesWhatTheFixtureHolds() throws Exception {
    // Not a compatibility requirement, a tripwire: when this fails the format changed, so keep the
    // old writer schema (writer-schemas/) and leave the fixture as it is.
    byte[] expected;
    try (InputStream in = getClass().getResourceAsStream(RegistryFixture.RESOURCE)) {
      expected = in.readAllBytes();
    }
    List<RegistryCodec.KeyValue> now = RegistryFixture.records();
    List<RegistryCodec.KeyValue> then = RegistryFixture.read(new java.io.ByteArrayInputStream(expected));
    assertEquals(then.stream().map(RegistryCodec.KeyValue::key).toList(),
        now.stream().map(RegistryCodec.KeyValue::key).toList());
  }
}
