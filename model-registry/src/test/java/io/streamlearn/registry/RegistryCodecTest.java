package io.streamlearn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.ModelVersionRecord;
import io.streamlearn.tensor.Float16;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryCodecTest {
  private final RegistryCodec codec = new RegistryCodec();

  static ModelVersion sample(long version, float weight) {
    return ModelVersion.create("blobs", version, version - 1, Instant.ofEpochMilli(1_000),
        "dense(2,softmax)",
        new Signature(3, Signature.Task.CLASSIFICATION, 2, List.of("no", "yes"),
            "SOFTMAX_CROSS_ENTROPY"),
        new Preprocessing("standard", new float[] {1, 2, 3}, new float[] {0.5f, 0.5f, 1}),
        List.of(new NamedTensor("layers.0.weight", new int[] {3, 2}, new float[] {weight, 2, 3, 4, 5, 6}),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[] {0.1f, -0.1f})),
        new Lineage(List.of(new OffsetRange("streamlearn.labeled", 0, 0, 640)), 640, 640,
            Map.of("optimizer", "adam"), 42, "0.1.0"),
        Map.of("prequentialAccuracy", 0.93));
  }

  @Test
  void versionRoundTripsThroughTheTopicFormat() {
    ModelVersion v = sample(3, 1f);
    RegistryCodec.Entry entry = codec.decode("blobs:3", codec.encode(v));
    ModelVersion back = assertInstanceOf(RegistryCodec.VersionEntry.class, entry).version();
    assertEquals(v, back);
    assertEquals(v.checksum(), back.checksum());
    assertEquals(2L, back.parent().orElseThrow());
  }

  @Test
  void aliasRoundTripsAndTombstonesDecode() {
    AliasMove move = new AliasMove("blobs", "live", 3, Instant.ofEpochMilli(5), "trainer", "gate", 2);
    assertEquals(move, assertInstanceOf(RegistryCodec.AliasEntry.class,
        codec.decode("blobs@live", codec.encode(move))).move());
    assertEquals(RegistryKey.alias("blobs", "live"),
        assertInstanceOf(RegistryCodec.Deleted.class, codec.decode("blobs@live", null)).key());
  }

  @Test
  void wrongChecksumIsRefused() {
    ModelVersion v = sample(1, 1f);
    ModelVersion tampered = new ModelVersion(v.name(), v.version(), v.parentVersion(), v.createdAt(),
        v.architecture(), v.signature(), v.preprocessing(), sample(1, 9f).tensors(), v.checksum(),
        v.lineage(), v.metrics());
    var e = assertThrows(InvalidModelException.class, () -> codec.decode("blobs:1", codec.encode(tampered)));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
  }

  @Test
  void nanWeightsAreRefused() {
    ModelVersion v = sample(1, Float.NaN);
    var e = assertThrows(InvalidModelException.class, () -> codec.decode("blobs:1", codec.encode(v)));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
  }

  @Test
  void unknownFormatVersionIsRefused() {
    ModelVersionRecord r = RegistryCodec.toRecord(sample(1, 1f));
    r.setFormatVersion(RegistryCodec.FORMAT_VERSION + 1);
    byte[] bytes = AvroSerde.of(ModelVersionRecord.class).serialize("t", r);
    var e = assertThrows(InvalidModelException.class, () -> codec.decode("blobs:1", bytes));
    assertTrue(e.getMessage().contains("artifact format " + (RegistryCodec.FORMAT_VERSION + 1)), e.getMessage());
  }

  @Test
  void keyMismatchGarbageAndBadKeysAreRefused() {
    byte[] bytes = codec.encode(sample(1, 1f));
    assertThrows(InvalidModelException.class, () -> codec.decode("blobs:2", bytes));
    assertThrows(InvalidModelException.class, () -> codec.decode("other:1", bytes));
    assertThrows(InvalidModelException.class, () -> codec.decode("blobs@live", bytes));
    assertThrows(InvalidModelException.class, () -> codec.decode("blobs:1", new byte[] {1, 2, 3}));
    assertThrows(InvalidModelException.class, () -> codec.decode("no-delimiter", bytes));
  }

  @Test
  void registryStateFollowsVersionsAliasesAndTombstones() {
    RegistryState state = new RegistryState();
    state.apply(codec.decode("blobs:1", codec.encode(sample(1, 1f))));
    state.apply(codec.decode("blobs:2", codec.encode(sample(2, 2f))));
    state.apply(codec.decode("blobs@live", codec.encode(
        new AliasMove("blobs", "live", 1, Instant.EPOCH, "me", "", 0))));
    assertEquals(2, state.latestVersionNumber("blobs"));
    assertEquals(1, state.aliased("blobs", "live").orElseThrow().version());
    state.apply(codec.decode("blobs@live", null));
    assertTrue(state.aliased("blobs", "live").isEmpty());
    assertEquals(0, state.latestVersionNumber("unknown"));
  }

  @Test
  void keysParseAndValidate() {
    assertEquals(RegistryKey.version("m", 12), RegistryKey.parse("m:12"));
    assertEquals(RegistryKey.alias("m", "live"), RegistryKey.parse("m@live"));
    assertThrows(IllegalArgumentException.class, () -> RegistryKey.parse("m:x"));
    assertThrows(IllegalArgumentException.class, () -> RegistryKey.version("a:b", 1));
  }

  @Test
  void float16TensorsRoundTripAsFormat2() {
    ModelVersion v = sample(2, 1.1f);
    ModelVersion half = v.withContent(v.tensors().stream().map(NamedTensor::toFloat16).toList(),
        v.preprocessing(), Map.of("note", "half"));
    assertEquals(2, half.minimumFormat());
    assertEquals(1, v.minimumFormat());
    assertTrue(!half.checksum().equals(v.checksum()), "float16 and float32 checksums differ");
    byte[] bytes = codec.encode(half);
    assertTrue(bytes.length < codec.encode(v).length, "float16 is smaller");
    assertEquals(2, AvroSerde.of(ModelVersionRecord.class).deserialize("t", bytes).getFormatVersion());
    ModelVersion back = assertInstanceOf(RegistryCodec.VersionEntry.class, codec.decode("blobs:2", bytes)).version();
    assertEquals(half, back);
    assertEquals(NamedTensor.DType.FLOAT16, back.tensor("layers.0.weight").dtype());
    assertEquals(Float16.round(1.1f), back.tensor("layers.0.weight").data()[0]);
    assertEquals(Map.of("note", "half"), back.annotations());
  }

  static final String PIPELINE = "{\"fields\":[{\"name\":\"origin\",\"kind\":\"category\","
      + "\"vocabulary\":[\"DTW\",\"LAS\"]}],\"classNames\":[\"false\",\"true\"]}";
  static final List<Signature.InputField> INPUTS = List.of(
      new Signature.InputField("distance", "numeric"), new Signature.InputField("origin", "category"),
      new Signature.InputField("date", "time"));

  @Test
  void aVersionWithAFeaturePipelineRoundTripsAsFormat3WithItsInputs() {
    ModelVersion v = sample(4, 1f).withFeaturePipeline(PIPELINE, INPUTS);
    assertEquals(3, v.minimumFormat());
    assertEquals(1, sample(4, 1f).minimumFormat(), "an event-input model keeps the lowest format");
    byte[] bytes = codec.encode(v);
    ModelVersionRecord r = AvroSerde.of(ModelVersionRecord.class).deserialize("t", bytes);
    assertEquals(3, r.getFormatVersion());
    assertEquals(PIPELINE, r.getFeaturePipeline());
    ModelVersion back = assertInstanceOf(RegistryCodec.VersionEntry.class, codec.decode("blobs:4", bytes)).version();
    assertEquals(v, back);
    assertEquals(PIPELINE, back.featurePipeline());
    assertEquals(INPUTS, back.signature().inputs());
    assertEquals(List.of("no", "yes"), back.signature().classNames());
  }

  @Test
  void anEventInputVersionHasAnEmptyPipelineAndNoInputs() {
    ModelVersion back = assertInstanceOf(RegistryCodec.VersionEntry.class,
        codec.decode("blobs:1", codec.encode(sample(1, 1f)))).version();
    assertEquals("", back.featurePipeline());
    assertTrue(back.signature().inputs().isEmpty());
    assertTrue(!back.hasFeaturePipeline());
  }

  @Test
  void aChunkedVersionKeepsItsFeaturePipeline() {
    ModelVersion v = Samples.dense("blobs", 5, 64, 40, 0f).withFeaturePipeline(PIPELINE, INPUTS);
    List<RegistryCodec.KeyValue> records = codec.versionRecords(v, 4096);
    assertTrue(records.size() > 2, "stored in chunks: " + records.size());
    Map<String, byte[]> store = new java.util.HashMap<>();
    records.forEach(kv -> store.put(kv.key(), kv.value()));
    ModelVersion back = codec.decodeVersion("blobs:5", store::get);
    assertEquals(PIPELINE, back.featurePipeline());
    assertEquals(INPUTS, back.signature().inputs());
  }

  @Test
  void aFeaturePipelineInAFormat2ArtifactIsRefused() {
    ModelVersionRecord r = RegistryCodec.toRecord(sample(1, 1f).withFeaturePipeline(PIPELINE, INPUTS));
    r.setFormatVersion(2);
    byte[] bytes = AvroSerde.of(ModelVersionRecord.class).serialize("t", r);
    var e = assertThrows(InvalidModelException.class, () -> codec.decode("blobs:1", bytes));
    assertTrue(e.getMessage().contains("feature pipeline in an artifact of format 2"), e.getMessage());
  }

  @Test
  void inputFieldsMustBeNamedTypedAndUnique() {
    Signature s = sample(1, 1f).signature();
    assertThrows(IllegalArgumentException.class, () -> new Signature.InputField(" ", "numeric"));
    assertThrows(IllegalArgumentException.class, () -> new Signature.InputField("a", ""));
    var e = assertThrows(IllegalArgumentException.class, () -> s.withInputs(List.of(
        new Signature.InputField("a", "numeric"), new Signature.InputField("a", "category"))));
    assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
    assertEquals("yes", s.className(1));
    assertEquals(null, s.withClassNames(List.of()).className(1));
  }

  @Test
  void float16InAFormat1ArtifactIsRefused() {
    ModelVersion v = sample(1, 1f);
    ModelVersion half = v.withContent(v.tensors().stream().map(NamedTensor::toFloat16).toList(),
        v.preprocessing(), Map.of());
    ModelVersionRecord r = RegistryCodec.toRecord(half);
    r.setFormatVersion(1);
    byte[] bytes = AvroSerde.of(ModelVersionRecord.class).serialize("t", r);
    var e = assertThrows(InvalidModelException.class, () -> codec.decode("blobs:1", bytes));
    assertTrue(e.getMessage().contains("FLOAT16 in an artifact of format 1"), e.getMessage());
  }

  @Test
  void float16TensorsRefuseValuesTheyCannotHold() {
    assertThrows(IllegalArgumentException.class,
        () -> new NamedTensor("w", new int[] {1}, new float[] {0.1f}, NamedTensor.DType.FLOAT16));
  }

  @Test
  void aliasChangesRoundTripUnderTheirOwnKeys() {
    AliasMove move = new AliasMove("blobs", "live", 3, Instant.ofEpochMilli(5_000), "ana", "better", 2);
    List<RegistryCodec.KeyValue> records = codec.moveRecords(move, AliasChange.Action.ROLLBACK);
    assertEquals(List.of("blobs@live#change-5000-3", "blobs@live"),
        records.stream().map(RegistryCodec.KeyValue::key).toList());
    AliasChange change = assertInstanceOf(RegistryCodec.ChangeEntry.class,
        codec.decode(records.get(0).key(), records.get(0).value())).change();
    assertEquals(new AliasChange("blobs", "live", AliasChange.Action.ROLLBACK, 3, 2,
        Instant.ofEpochMilli(5_000), "ana", "better", true), change);
    assertThrows(InvalidModelException.class, () -> codec.decode("blobs@live#change-5000-4",
        records.get(0).value()), "a change stored under another change's key");
  }

  @Test
  void everyKeyKindParsesBack() {
    for (String key : List.of("m:3", "m:3#chunk-0", "m:12#chunk-11", "m@live", "m@live#change-1700000000000-3",
        "a#b:2")) {
      assertEquals(key, RegistryKey.parse(key).toString());
    }
    assertEquals(RegistryKey.Kind.CHUNK, RegistryKey.parse("m:3#chunk-1").kind());
    assertEquals(RegistryKey.Kind.CHANGE, RegistryKey.parse("m@live#change-1-2").kind());
    assertThrows(IllegalArgumentException.class, () -> RegistryKey.parse("m:3#change-1-2"));
    assertThrows(IllegalArgumentException.class, () -> RegistryKey.parse("m@live#chunk-1"));
    assertThrows(IllegalArgumentException.class, () -> RegistryKey.parse("m:3#chunk-x"));
    assertThrows(IllegalArgumentException.class, () -> RegistryKey.alias("m", "a#b"));
  }

  /** A version whose lineage was sampled ({@code --max-lag}): two ranges at different rates. */
  private static ModelVersion sampled() {
    ModelVersion v = sample(5, 2f);
    return ModelVersion.create(v.name(), v.version(), v.parentVersion(), v.createdAt(), v.architecture(),
        v.signature(), v.preprocessing(), v.tensors(),
        new Lineage(List.of(new OffsetRange("streamlearn.labeled", 0, 0, 640, 0.25, 470),
            new OffsetRange("streamlearn.labeled", 0, 640, 700)), 230, 230, Map.of("optimizer", "adam"), 42, "0.1.0"),
        v.metrics());
  }

  @Test
  void aSampledLineageRoundTripsWithEachRangesRateAndSkippedCount() {
    ModelVersion v = sampled();
    byte[] bytes = codec.versionRecords(v, RegistryCodec.DEFAULT_MAX_RECORD_BYTES).get(0).value();
    ModelVersion d = assertInstanceOf(RegistryCodec.VersionEntry.class, codec.decode("blobs:5", bytes)).version();
    assertEquals(v.lineage().ranges(), d.lineage().ranges());
    assertEquals(0.25, d.lineage().ranges().get(0).sampleRate());
    assertEquals(470, d.lineage().ranges().get(0).skipped());
  }

  @Test
  void aVersionWrittenBeforeSampledRangesDecodesWithRateOneAndNothingSkipped() throws Exception {
    ModelVersion v = sampled();
    ModelVersion d = assertInstanceOf(RegistryCodec.VersionEntry.class,
        codec.decode("blobs:5", asWrittenBy("ModelVersionRecord-0.1.0-pipeline.avsc", v))).version();
    assertEquals(List.of(new OffsetRange("streamlearn.labeled", 0, 0, 640),
        new OffsetRange("streamlearn.labeled", 0, 640, 700)), d.lineage().ranges());
    assertEquals(v.tensors(), d.tensors());
  }

  /** {@code v} single-object encoded as the earlier writer schema {@code file} would have written it. */
  private static byte[] asWrittenBy(String file, ModelVersion v) throws Exception {
    org.apache.avro.Schema pre;
    try (var in = RegistryCodec.class.getResourceAsStream("/io/streamlearn/registry/writer-schemas/" + file)) {
      pre = new org.apache.avro.Schema.Parser().parse(in);
    }
    var out = new java.io.ByteArrayOutputStream();
    var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.specific.SpecificDatumWriter<ModelVersionRecord>(ModelVersionRecord.getClassSchema())
        .write(RegistryCodec.toRecord(v), encoder);
    encoder.flush();
    var asPre = new org.apache.avro.generic.GenericDatumReader<org.apache.avro.generic.GenericRecord>(
        ModelVersionRecord.getClassSchema(), pre)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    var buffer = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
        org.apache.avro.generic.GenericData.get(), pre).encode(asPre);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @Test
  void valuesWrittenWithAnEarlierWriterSchemaStillDecode() throws Exception {
    org.apache.avro.Schema pre;
    try (var in = RegistryCodec.class.getResourceAsStream(
        "/io/streamlearn/registry/writer-schemas/ModelVersionRecord-0.1.0-pre.avsc")) {
      pre = new org.apache.avro.Schema.Parser().parse(in);
    }
    assertTrue(AvroSerde.fingerprint(pre) != AvroSerde.fingerprint(ModelVersionRecord.getClassSchema()),
        "the earlier schema differs from the current one");
    // the same version as the earlier schema would have written it (no dtype, annotations, chunks)
    ModelVersion v = sample(5, 2f);
    var out = new java.io.ByteArrayOutputStream();
    var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.specific.SpecificDatumWriter<ModelVersionRecord>(ModelVersionRecord.getClassSchema())
        .write(RegistryCodec.toRecord(v), encoder);
    encoder.flush();
    var asPre = new org.apache.avro.generic.GenericDatumReader<org.apache.avro.generic.GenericRecord>(
        ModelVersionRecord.getClassSchema(), pre)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    var buffer = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
        org.apache.avro.generic.GenericData.get(), pre).encode(asPre);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    assertEquals(v, assertInstanceOf(RegistryCodec.VersionEntry.class, codec.decode("blobs:5", bytes)).version());
  }
}
