package io.streamlearn.schema.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlearn.schema.user.UserRecordException.Reason;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SingleObjectDecoderTest {
  private static final Path V1 = Fixtures.file("flight-v1.avsc");
  private static final Path V2 = Fixtures.file("flight-v2.avsc");
  private final Map<String, byte[]> recorded = Fixtures.values("single-object.hex");

  @Test
  void pythonWrittenValuesDecodeIntoTheRecordsPythonWrote() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1, V2), null);
    for (Map.Entry<String, byte[]> e : recorded.entrySet()) {
      GenericRecord record = decoder.decode(e.getValue());
      JsonNode expected = Fixtures.expectedRecord(e.getKey());
      assertEquals(expected.get("date").asText(), GenericPath.value(record, "date"), e.getKey());
      assertEquals(expected.get("delay").asInt(), GenericPath.value(record, "delay"), e.getKey());
      assertEquals(expected.get("distance").asDouble(), GenericPath.value(record, "distance"), e.getKey());
      assertEquals(expected.get("carrier").asText(), GenericPath.value(record, "carrier"), e.getKey());
      assertEquals(expected.get("cancelled").asBoolean(), GenericPath.value(record, "cancelled"), e.getKey());
      assertEquals(expected.get("note").isNull() ? null : expected.get("note").asText(),
          GenericPath.value(record, "note"), e.getKey());
      assertEquals(expected.at("/user/country").asText(), GenericPath.value(record, "user.country"), e.getKey());
      assertEquals(new BigDecimal(expected.get("fare").asText()), GenericPath.value(record, "fare"), e.getKey());
      assertEquals(expected.at("/user/tags").size(), ((List<?>) GenericPath.value(record, "user.tags")).size());
    }
  }

  @Test
  void thePythonHeaderCarriesTheSpecFingerprintOfEachSchemaFile() {
    JsonNode fingerprints = Fixtures.expected().get("fingerprints");
    assertEquals(fingerprints.get("flight-v1.avsc").asText(),
        String.format("%016x", SingleObjectDecoder.fingerprint(Fixtures.schema("flight-v1.avsc"))));
    assertEquals(fingerprints.get("flight-v2.avsc").asText(),
        String.format("%016x", SingleObjectDecoder.fingerprint(Fixtures.schema("flight-v2.avsc"))));
  }

  @Test
  void javaEncodingOfADecodedRecordIsByteForByteWhatPythonWrote() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1, V2), null);
    for (Map.Entry<String, byte[]> e : recorded.entrySet()) {
      assertArrayEquals(e.getValue(), SingleObjectDecoder.encode(decoder.decode(e.getValue())), e.getKey());
    }
  }

  @Test
  void withVersionTwoAsReaderAVersionOneValueGetsTheNewFieldsDefault() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1), V2);
    GenericRecord old = decoder.decode(recorded.get("v1-0"));
    assertEquals("unknown", GenericPath.value(old, "aircraft"));
    assertEquals(Fixtures.schema("flight-v2.avsc"), old.getSchema());
    GenericRecord current = decoder.decode(recorded.get("v2-0"));
    assertEquals("A320", GenericPath.value(current, "aircraft"), "values of the reader schema itself decode too");
  }

  @Test
  void withoutAReaderSchemaEachValueKeepsItsWriterSchema() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1, V2), null);
    assertNull(decoder.decode(recorded.get("v1-0")).getSchema().getField("aircraft"));
    assertEquals("A320", GenericPath.value(decoder.decode(recorded.get("v2-0")), "aircraft"));
    assertTrue(decoder.readerSchema().isEmpty());
    assertEquals(2, decoder.writerSchemas().size());
  }

  @Test
  void aValueOfAnotherSchemaIsAnUnknownFingerprintNamingTheKnownSchemas() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1), null);
    UserRecordException e = assertThrows(UserRecordException.class, () -> decoder.decode(recorded.get("v2-0")));
    assertEquals(Reason.UNKNOWN_FINGERPRINT, e.reason());
    String fp2 = Fixtures.expected().at("/fingerprints/flight-v2.avsc").asText();
    String fp1 = Fixtures.expected().at("/fingerprints/flight-v1.avsc").asText();
    assertTrue(e.getMessage().contains(fp2) && e.getMessage().contains("com.example.flights.Flight " + fp1),
        e.getMessage());
  }

  @Test
  void valuesThatAreNotSingleObjectEncodedAreRefusedWithTheReason() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1), null);
    assertEquals(Reason.EMPTY_VALUE, assertThrows(UserRecordException.class, () -> decoder.decode(null)).reason());
    assertEquals(Reason.EMPTY_VALUE, assertThrows(UserRecordException.class, () -> decoder.decode(new byte[0])).reason());
    UserRecordException json = assertThrows(UserRecordException.class,
        () -> decoder.decode("{\"delay\": 3}".getBytes()));
    assertEquals(Reason.NOT_SINGLE_OBJECT, json.reason());
    assertTrue(json.getMessage().contains("got 7B226465"), json.getMessage());
    byte[] confluent = Fixtures.values("confluent.hex").get("v1-0");
    assertEquals(Reason.NOT_SINGLE_OBJECT,
        assertThrows(UserRecordException.class, () -> decoder.decode(confluent)).reason());
    assertEquals(Reason.NOT_SINGLE_OBJECT, assertThrows(UserRecordException.class,
        () -> decoder.decode(new byte[] {(byte) 0xC3, 0x01, 5})).reason(), "a header cut short");
  }

  @Test
  void everyTruncationOfARecordedValueIsACorruptBodyNeverACrash() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1, V2), null);
    for (Map.Entry<String, byte[]> e : recorded.entrySet()) {
      byte[] full = e.getValue();
      for (int length = SingleObjectDecoder.HEADER_LENGTH; length < full.length; length++) {
        byte[] cut = Arrays.copyOf(full, length);
        UserRecordException error = assertThrows(UserRecordException.class, () -> decoder.decode(cut),
            e.getKey() + " cut to " + length + " bytes");
        assertEquals(Reason.CORRUPT_BODY, error.reason(), e.getKey() + " cut to " + length + ": " + error.getMessage());
      }
    }
  }

  @Test
  void aShortValueClaimingHugeLengthsIsCorruptNotAnOutOfMemoryError() {
    Schema schema = new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": ["
        + "{\"name\": \"xs\", \"type\": {\"type\": \"array\", \"items\": \"float\"}}]}");
    SingleObjectDecoder decoder = SingleObjectDecoder.of(List.of(schema), null);
    byte[] header = Arrays.copyOf(SingleObjectDecoder.encode(new org.apache.avro.generic.GenericRecordBuilder(schema)
        .set("xs", List.of()).build()), SingleObjectDecoder.HEADER_LENGTH);
    // A block of 2,000,000,000 floats (an 8 GB Object[], past any test heap) (zig-zag varint 4e9), with no floats after it: Avro would
    // allocate the array at the claimed size before noticing the bytes are missing.
    byte[] claim = {(byte) 0x80, (byte) 0xD0, (byte) 0xAC, (byte) 0xF3, 0x0E};
    byte[] value = Arrays.copyOf(header, header.length + claim.length);
    System.arraycopy(claim, 0, value, header.length, claim.length);
    UserRecordException e = assertThrows(UserRecordException.class, () -> decoder.decode(value));
    assertEquals(Reason.CORRUPT_BODY, e.reason(), e.getMessage());
  }

  @Test
  void bytesAfterTheBodyAreRefusedAsTrailingBytes() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1), null);
    byte[] full = recorded.get("v1-0");
    byte[] longer = Arrays.copyOf(full, full.length + 3);
    assertEquals(Reason.TRAILING_BYTES,
        assertThrows(UserRecordException.class, () -> decoder.decode(longer)).reason());
  }

  @Test
  void randomlyCorruptedBodiesDecodeOrRaiseOnlyUserRecordException() {
    SingleObjectDecoder decoder = SingleObjectDecoder.fromFiles(List.of(V1, V2), null);
    Random random = new Random(13);
    int refused = 0;
    for (int trial = 0; trial < 5_000; trial++) {
      byte[] value = recorded.get(trial % 2 == 0 ? "v1-0" : "v2-0").clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        int at = SingleObjectDecoder.HEADER_LENGTH + random.nextInt(value.length - SingleObjectDecoder.HEADER_LENGTH);
        value[at] = (byte) random.nextInt(256);
      }
      try {
        decoder.decode(value);
      } catch (UserRecordException e) {
        refused++;
        assertTrue(e.reason() == Reason.CORRUPT_BODY || e.reason() == Reason.TRAILING_BYTES, e.toString());
      }
    }
    assertTrue(refused > 250, "most corruptions are caught: " + refused);
  }

  @Test
  void aReaderSchemaThatCannotReadAWriterFailsAtStartNamingTheFile(@TempDir Path dir) throws IOException {
    Path strict = dir.resolve("strict.avsc");
    Files.writeString(strict, Fixtures.text("flight-v2.avsc").replace(", \"default\": \"unknown\"", ""));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SingleObjectDecoder.fromFiles(List.of(V1), strict));
    assertTrue(e.getMessage().contains(strict.toString()) && e.getMessage().contains(V1.toString())
        && e.getMessage().contains("aircraft"), e.getMessage());
  }

  @Test
  void schemaFilesThatAreMissingInvalidOrNotRecordsAreRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.avsc");
    Path broken = Files.writeString(dir.resolve("broken.avsc"), "{\"type\": \"record\", \"name\": ");
    Path string = Files.writeString(dir.resolve("string.avsc"), "\"string\"");
    Path typo = Files.writeString(dir.resolve("typo.avsc"), "{\"type\": \"recrod\", \"name\": \"A\", \"fields\": []}");
    for (Path file : List.of(missing, broken, string, typo)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SingleObjectDecoder.fromFiles(List.of(V1, file), null));
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> SingleObjectDecoder.fromFiles(List.of(), null));
  }

  @Test
  void schemasGivenInMemoryWorkAsFilesDo() {
    Schema v1 = Fixtures.schema("flight-v1.avsc");
    SingleObjectDecoder decoder = SingleObjectDecoder.of(List.of(v1), null);
    assertEquals(66, GenericPath.value(decoder.decode(recorded.get("v1-0")), "delay"));
  }
}
