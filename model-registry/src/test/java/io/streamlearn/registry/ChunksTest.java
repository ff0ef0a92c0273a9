package io.streamlearn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Models larger than one record: split, reassembled, and refused when a chunk is lost or bad. */
class ChunksTest {
  private final RegistryCodec codec = new RegistryCodec();
  /** 600 x 512 float32 weights: 1.2 MB, more than the default 1 MB record. */
  private final ModelVersion big = Samples.dense("big", 4, 600, 512, 0f);

  private Map<String, byte[]> store(List<RegistryCodec.KeyValue> records) {
    Map<String, byte[]> store = new HashMap<>();
    records.forEach(kv -> store.put(kv.key(), kv.value()));
    return store;
  }

  @Test
  void aModelOverOneMegabyteIsChunkedAndReassembled() {
    assertTrue(big.tensorBytes() > 1_000_000, "model is larger than 1 MB: " + big.tensorBytes());
    List<RegistryCodec.KeyValue> records = codec.versionRecords(big, RegistryCodec.DEFAULT_MAX_RECORD_BYTES);
    assertEquals(3, records.size(), "2 chunks and a manifest, found " + records.stream().map(RegistryCodec.KeyValue::key).toList());
    for (RegistryCodec.KeyValue kv : records) {
      assertTrue(kv.value().length <= RegistryCodec.DEFAULT_MAX_RECORD_BYTES,
          kv.key() + " is " + kv.value().length + " bytes");
    }
    assertEquals(List.of("big:4#chunk-0", "big:4#chunk-1", "big:4"),
        records.stream().map(RegistryCodec.KeyValue::key).toList(), "chunks first, manifest last");
    ModelVersion back = codec.decodeVersion("big:4", store(records)::get);
    assertEquals(big, back);

    RegistryCodec.ManifestEntry manifest = assertInstanceOf(RegistryCodec.ManifestEntry.class,
        codec.decode("big:4", records.get(2).value()));
    assertTrue(manifest.metadata().tensors().isEmpty(), "the manifest carries no tensors");
    assertEquals(big.metrics(), manifest.metadata().metrics(), "the manifest carries the metadata");
    assertEquals(2, manifest.manifest().count());
  }

  @Test
  void aSmallModelIsOneRecord() {
    ModelVersion small = Samples.dense("small", 1, 3, 2, 0f);
    List<RegistryCodec.KeyValue> records = codec.versionRecords(small, RegistryCodec.DEFAULT_MAX_RECORD_BYTES);
    assertEquals(1, records.size());
    assertEquals(small, codec.decodeVersion("small:1", store(records)::get));
  }

  @Test
  void registryStateAssemblesChunksInAnyOrder() {
    List<RegistryCodec.KeyValue> records = codec.versionRecords(big, 300_000);
    assertTrue(records.size() > 4, "several chunks at 300 kB, found " + records.size());
    RegistryState state = new RegistryState(codec);
    for (int i = records.size() - 1; i >= 0; i--) { // manifest first, then chunks backwards
      state.apply(records.get(i).key(), records.get(i).value());
    }
    assertEquals(big, state.version("big", 4).orElseThrow());
    assertEquals(records.size() - 1, state.chunking("big", 4).orElseThrow().count());
    assertTrue(state.pendingVersions().isEmpty(), "nothing pending: " + state.pendingVersions());
  }

  @Test
  void aLostChunkIsDetected() {
    Map<String, byte[]> store = store(codec.versionRecords(big, 300_000));
    store.remove("big:4#chunk-2");
    var e = assertThrows(InvalidModelException.class, () -> codec.decodeVersion("big:4", store::get));
    assertTrue(e.getMessage().contains("chunk 2 of") && e.getMessage().contains("missing"), e.getMessage());

    RegistryState state = new RegistryState(codec);
    store.forEach(state::apply);
    assertTrue(state.version("big", 4).isEmpty(), "a version with a lost chunk is not visible");
    assertEquals(List.of("big:4"), List.copyOf(state.pendingVersions()));
    assertEquals(4, state.latestVersionNumber("big"), "its number is taken all the same");
  }

  @Test
  void aDuplicatedChunkIsDetected() {
    Map<String, byte[]> store = store(codec.versionRecords(big, 300_000));
    store.put("big:4#chunk-3", store.get("big:4#chunk-1")); // chunk 1 twice, chunk 3 gone
    var e = assertThrows(InvalidModelException.class, () -> codec.decodeVersion("big:4", store::get));
    assertTrue(e.getMessage().contains("duplicated or misplaced"), e.getMessage());
  }

  @Test
  void aCorruptChunkIsDetected() {
    Map<String, byte[]> store = store(codec.versionRecords(big, 300_000));
    byte[] chunk = store.get("big:4#chunk-1").clone();
    chunk[chunk.length / 2] ^= 0x40; // a bit flip inside the data
    store.put("big:4#chunk-1", chunk);
    var e = assertThrows(InvalidModelException.class, () -> codec.decodeVersion("big:4", store::get));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
  }

  @Test
  void chunksOfAnotherSplitAreDetected() {
    Map<String, byte[]> store = store(codec.versionRecords(big, 300_000));
    ModelVersion other = Samples.dense("big", 4, 600, 512, 1f); // same key, other weights
    Map<String, byte[]> otherStore = store(codec.versionRecords(other, 300_000));
    store.put("big:4#chunk-0", otherStore.get("big:4#chunk-0"));
    var e = assertThrows(InvalidModelException.class, () -> codec.decodeVersion("big:4", store::get));
    assertTrue(e.getMessage().contains("do not match the manifest"), e.getMessage());
  }
}
