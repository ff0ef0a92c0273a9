package io.streamlearn.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private final AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
  private final AvroSerde<FeatureEvent> features = AvroSerde.of(FeatureEvent.class);
  private final AvroSerde<Prediction> predictions = AvroSerde.of(Prediction.class);

  static LabeledEvent labeledEvent(String id, Object label) {
    return LabeledEvent.newBuilder().setId(id).setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
        .setFeatures(List.of(0.5f, -1.25f, 3e-3f)).setLabel(label).build();
  }

  @Test
  void labeledEventRoundTripsInSingleObjectEncoding() {
    LabeledEvent event = labeledEvent("e-1", 2);
    byte[] bytes = labeled.serialize("t", event);
    assertEquals((byte) 0xC3, bytes[0]);
    assertEquals((byte) 0x01, bytes[1]);
    assertEquals(event, labeled.deserialize("t", bytes));
    LabeledEvent regression = labeledEvent("e-2", 0.75f);
    assertEquals(regression, labeled.deserialize("t", labeled.serialize("t", regression)));
  }

  @Test
  void headerCarriesTheSchemaFingerprintLittleEndian() {
    byte[] bytes = features.serialize("t", FeatureEvent.newBuilder().setId("x")
        .setEventTime(Instant.EPOCH).setFeatures(List.of()).build());
    long fp = AvroSerde.fingerprint(FeatureEvent.getClassSchema());
    for (int i = 0; i < 8; i++) {
      assertEquals((byte) (fp >>> (8 * i)), bytes[2 + i], "fingerprint byte " + i);
    }
  }

  @Test
  void predictionRoundTripsWithNullsAndUnions() {
    Prediction p = Prediction.newBuilder().setId("e").setEventTime(5).setModel("m").setModelVersion(7)
        .setPredictedClass(null).setScores(List.of(0.1f, 0.9f)).setLabel(null).setLatencyMicros(42)
        .build();
    assertEquals(p, predictions.deserialize("t", predictions.serialize("t", p)));
    p.setLabel(1);
    p.setPredictedClass(1);
    p.setPredictedLabel("delayed");
    assertEquals(p, predictions.deserialize("t", predictions.serialize("t", p)));
  }

  @Test
  void aPredictionWrittenByRelease010DecodesWithoutAPredictedLabel() throws Exception {
    Schema released;
    try (InputStream in = getClass().getResourceAsStream("/released/0.1.0/Prediction.avsc")) {
      released = new Schema.Parser().parse(in);
    }
    GenericRecord old = new GenericData.Record(released);
    old.put("id", "e-9");
    old.put("eventTime", 5L);
    old.put("model", "m");
    old.put("modelVersion", 3L);
    old.put("predictedClass", 1);
    old.put("scores", List.of(0.25f, 0.75f));
    old.put("label", null);
    old.put("latencyMicros", 17L);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(AvroSerde.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    header.put(AvroSerde.MAGIC_0).put(AvroSerde.MAGIC_1).putLong(AvroSerde.fingerprint(released));
    body.write(header.array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
    new GenericDatumWriter<GenericRecord>(released).write(old, encoder);
    encoder.flush();

    Prediction p = predictions.deserialize("t", body.toByteArray());
    assertEquals("e-9", p.getId());
    assertEquals(1, p.getPredictedClass());
    assertEquals(List.of(0.25f, 0.75f), p.getScores());
    assertNull(p.getPredictedLabel(), "the new field takes its default");
  }

  @Test
  void readsAvroJsonOfTheSameRecord() {
    String json = "{\"id\": \"j-1\", \"eventTime\": 1700000000123, \"features\": [0.5, -1.25, 0.003],"
        + " \"label\": {\"int\": 2}}";
    LabeledEvent event = labeled.deserialize("t", json.getBytes(StandardCharsets.UTF_8));
    assertEquals(labeledEvent("j-1", 2), event);
    assertEquals(event, labeled.deserialize("t",
        labeled.toJson(event).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertNull(labeled.serialize("t", null));
    assertNull(labeled.deserialize("t", null));
  }

  @Test
  void valueOfAnotherSchemaIsRefusedWithTheFingerprint() {
    byte[] featureBytes = features.serialize("t", FeatureEvent.newBuilder().setId("x")
        .setEventTime(Instant.EPOCH).setFeatures(List.of(1f)).build());
    SerializationException e = assertThrows(SerializationException.class,
        () -> labeled.deserialize("t", featureBytes));
    assertTrue(e.getMessage().contains("unknown writer schema fingerprint"), e.getMessage());
    assertTrue(e.getMessage().contains("LabeledEvent"), e.getMessage());
  }

  @Test
  void garbageTruncatedAndTrailingBytesAreRefused() {
    byte[] good = labeled.serialize("t", labeledEvent("e", 1));
    assertThrows(SerializationException.class,
        () -> labeled.deserialize("t", "hello world".getBytes(StandardCharsets.UTF_8)));
    assertThrows(SerializationException.class, () -> labeled.deserialize("t", new byte[0]));
    assertThrows(SerializationException.class,
        () -> labeled.deserialize("t", Arrays.copyOf(good, good.length - 3)));
    assertThrows(SerializationException.class,
        () -> labeled.deserialize("t", Arrays.copyOf(good, good.length + 2)));
    assertThrows(SerializationException.class,
        () -> labeled.deserialize("t", "{\"id\": \"broken".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aShortValueClaimingTwoBillionFeaturesIsRefusedNotAnOutOfMemoryError() {
    byte[] empty = features.serialize("t", FeatureEvent.newBuilder().setId("").setEventTime(Instant.EPOCH)
        .setFeatures(List.of()).build());
    // Header, id "" (00), eventTime 0 (00), then a block claiming 2,000,000,000 floats (an 8 GB Object[], past any test heap) and none.
    byte[] value = Arrays.copyOf(empty, AvroSerde.HEADER_LENGTH + 2 + 5);
    byte[] claim = {(byte) 0x80, (byte) 0xD0, (byte) 0xAC, (byte) 0xF3, 0x0E};
    System.arraycopy(claim, 0, value, AvroSerde.HEADER_LENGTH + 2, claim.length);
    SerializationException e = assertThrows(SerializationException.class, () -> features.deserialize("t", value));
    assertTrue(e.getMessage().contains("corrupt body"), e.getMessage());
  }

  @Test
  void randomBytesNeverDecodeSilentlyIntoADifferentRecord() {
    Random random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      if (junk.length > 1 && random.nextBoolean()) {
        junk[0] = (byte) 0xC3;
        junk[1] = 0x01;
      }
      assertThrows(SerializationException.class, () -> labeled.deserialize("t", junk),
          "random value " + Arrays.toString(junk));
    }
  }

  @Test
  void fastEventDecoderAgreesWithAvro() {
    InputEventDecoder decoder = InputEventDecoder.forLabeled();
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      float[] x = new float[random.nextInt(800)];
      for (int j = 0; j < x.length; j++) {
        x[j] = (float) random.nextGaussian();
      }
      Object label = random.nextBoolean() ? (Object) random.nextInt(10) : (Object) random.nextFloat();
      LabeledEvent event = LabeledEvent.newBuilder().setId("id-" + i)
          .setEventTime(Instant.ofEpochMilli(random.nextLong() >>> 20))
          .setFeatures(FloatLists.boxed(x)).setLabel(label).build();
      InputEvent decoded = decoder.decode("t", labeled.serialize("t", event));
      assertEquals(InputEvent.of(event), decoded);
      assertArrayEquals(x, decoded.features());
    }
  }

  @Test
  void fastDecoderReadsFeatureEventsOnAnyTopicAndJsonAsTheExpectedType() {
    FeatureEvent fe = FeatureEvent.newBuilder().setId("f").setEventTime(Instant.ofEpochMilli(9))
        .setFeatures(List.of(1f, 2f)).build();
    InputEvent decoded = InputEventDecoder.forLabeled().decode("t", features.serialize("t", fe));
    assertEquals(new InputEvent("f", 9, new float[] {1f, 2f}, null), decoded);
    InputEvent json = InputEventDecoder.forFeatures().decode("t",
        "{\"id\":\"f\",\"eventTime\":9,\"features\":[1,2]}".getBytes(StandardCharsets.UTF_8));
    assertEquals(decoded, json);
  }

  @Test
  void fastDecoderRefusesCorruptBodies() {
    InputEventDecoder decoder = InputEventDecoder.forLabeled();
    byte[] good = labeled.serialize("t", labeledEvent("e", 1));
    for (int cut = AvroSerde.HEADER_LENGTH; cut < good.length; cut++) {
      byte[] truncated = Arrays.copyOf(good, cut);
      assertThrows(SerializationException.class, () -> decoder.decode("t", truncated),
          "truncated at " + cut);
    }
    byte[] badBranch = good.clone();
    badBranch[badBranch.length - 2] = 9; // union index 9 (zigzag) where the label branch is
    assertThrows(SerializationException.class, () -> decoder.decode("t", badBranch));
    assertThrows(SerializationException.class, () -> decoder.decode("t", null));
  }
}
