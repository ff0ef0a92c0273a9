package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.LabeledEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trainer's fast path agrees with the general decoder, and leaves every odd value to it. */
class LabeledRowDecoderTest {
  private final AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);

  private byte[] event(String id, List<Float> x, Object label) {
    return serde.serialize("t", new LabeledEvent(id, Instant.ofEpochMilli(123_456_789L), x, label));
  }

  @Test
  void copiesTheFeaturesAndLabelAsTheGeneralDecoderReadsThem() {
    byte[] value = event("ev-été-7", List.of(1.5f, -2f, 3e-20f), 2);
    LabeledRowDecoder d = new LabeledRowDecoder(3, 4);
    assertTrue(d.parse(value));
    float[] row = new float[5];
    assertTrue(d.copyFeatures(row, 2));
    var general = InputEventDecoder.forLabeled().decode("t", value);
    assertArrayEquals(general.features(), new float[] {row[2], row[3], row[4]});
    assertEquals(general.label().asFloat(), d.label());
    assertEquals(HoldOut.isHeldOut("ev-été-7", 0.5), d.heldOut(0.5), "hold-out on the id bytes");
    LabeledRowDecoder regression = new LabeledRowDecoder(3, 0);
    assertTrue(regression.parse(event("r", List.of(1f, 2f, 3f), 0.25f)));
    assertEquals(0.25f, regression.label());
  }

  @Test
  void leavesEveryOddValueToTheGeneralPath() {
    LabeledRowDecoder d = new LabeledRowDecoder(3, 4);
    assertFalse(d.parse(event("a", List.of(1f, 2f), 1)), "wrong feature count");
    assertFalse(d.parse(event("a", List.of(1f, 2f, 3f), 4)), "class out of range");
    assertFalse(d.parse(event("a", List.of(1f, 2f, 3f), 1.5f)), "float label for classification");
    byte[] ok = event("a", List.of(1f, 2f, 3f), 1);
    assertFalse(d.parse(java.util.Arrays.copyOf(ok, ok.length - 1)), "truncated");
    assertFalse(d.parse(java.util.Arrays.copyOf(ok, ok.length + 1)), "trailing byte");
    assertFalse(d.parse("{\"id\": \"a\"}".getBytes(StandardCharsets.UTF_8)), "JSON");
    assertFalse(d.parse(null), "tombstone");
    assertTrue(d.parse(event("a", List.of(1f, Float.NaN, 3f), 1)), "structure is fine");
    assertFalse(d.copyFeatures(new float[3], 0), "but a NaN feature is reported");
  }
}
