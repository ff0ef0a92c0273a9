package io.streamlearn.schema.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.schema.user.UserRecordException.Reason;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ConfluentAvroDecoderTest {
  private final Map<String, byte[]> recorded = Fixtures.values("confluent.hex");

  private static ConfluentAvroDecoder decoder(RecordedSchemaRegistry registry) {
    return new ConfluentAvroDecoder(SchemaRegistryClient.fromProperties(
        Map.of(SchemaRegistrySettings.URL, registry.url())), null);
  }

  @Test
  void pythonWrittenWireFormatDecodesWithSchemasFetchedFromTheRecordedRegistry() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      ConfluentAvroDecoder decoder = decoder(registry);
      GenericRecord first = decoder.decode(recorded.get("v1-0"));
      assertEquals("DTW", GenericPath.value(first, "origin"));
      assertEquals("US", GenericPath.value(first, "user.country"));
      assertEquals("weather \u00e9t\u00e9", GenericPath.value(decoder.decode(recorded.get("v1-1")), "note"));
      assertEquals("A320", GenericPath.value(decoder.decode(recorded.get("v2-0")), "aircraft"));
    }
  }

  @Test
  void manyRecordsOfOneSchemaCostOneRegistryCall() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      ConfluentAvroDecoder decoder = decoder(registry);
      for (int i = 0; i < 1000; i++) {
        decoder.decode(recorded.get(i % 2 == 0 ? "v1-0" : "v1-1"));
        decoder.decode(recorded.get("v2-0"));
      }
      assertEquals(1, registry.calls("GET /schemas/ids/7"));
      assertEquals(1, registry.calls("GET /schemas/ids/8"));
      assertEquals(2, registry.totalCalls());
    }
  }

  @Test
  void withAReaderSchemaVersionOneValuesReadAsVersionTwo() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(SchemaRegistryClient.fromProperties(
          Map.of(SchemaRegistrySettings.URL, registry.url())), Fixtures.schema("flight-v2.avsc"));
      assertEquals("unknown", GenericPath.value(decoder.decode(recorded.get("v1-0")), "aircraft"));
    }
  }

  @Test
  void aReaderSchemaThatCannotReadAWriterRefusesItsValuesAndAsksTheRegistryOnce() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(SchemaRegistryClient.fromProperties(
          Map.of(SchemaRegistrySettings.URL, registry.url())),
          new org.apache.avro.Schema.Parser().parse(Fixtures.text("flight-v2.avsc")
              .replace(", \"default\": \"unknown\"", "")));
      for (int i = 0; i < 3; i++) {
        UserRecordException e = assertThrows(UserRecordException.class, () -> decoder.decode(recorded.get("v1-0")));
        assertEquals(Reason.INCOMPATIBLE_WRITER_SCHEMA, e.reason());
        assertTrue(e.getMessage().contains("schema id 7") && e.getMessage().contains("aircraft"), e.getMessage());
      }
      assertEquals(1, registry.calls("GET /schemas/ids/7"));
    }
  }

  @Test
  void anIdTheRegistryDoesNotKnowIsABadRecordNamingTheIdAndTheRegistry() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      byte[] value = recorded.get("v1-0").clone();
      value[4] = 99;
      UserRecordException e = assertThrows(UserRecordException.class, () -> decoder(registry).decode(value));
      assertEquals(Reason.UNKNOWN_SCHEMA_ID, e.reason());
      assertTrue(e.getMessage().startsWith("schema id 99 not found in the registry at " + registry.url()),
          e.getMessage());
      assertTrue(e.getMessage().contains("40403"), e.getMessage());
    }
  }

  @Test
  void protobufSchemasAndSchemaReferencesAreRefusedWithTheReason() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      ConfluentAvroDecoder decoder = decoder(registry);
      byte[] protobuf = recorded.get("v1-0").clone();
      protobuf[4] = 9;
      UserRecordException e = assertThrows(UserRecordException.class, () -> decoder.decode(protobuf));
      assertEquals(Reason.UNSUPPORTED_SCHEMA, e.reason());
      assertTrue(e.getMessage().contains("is a PROTOBUF schema; --input-format confluent-avro reads Avro schemas only"),
          e.getMessage());
      byte[] referencing = recorded.get("v1-0").clone();
      referencing[4] = 10;
      UserRecordException refs = assertThrows(UserRecordException.class, () -> decoder.decode(referencing));
      assertEquals(Reason.UNSUPPORTED_SCHEMA, refs.reason());
      assertTrue(refs.getMessage().contains("references"), refs.getMessage());
    }
  }

  @Test
  void valuesNotInTheWireFormatAreRefusedWithoutAskingTheRegistry() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      ConfluentAvroDecoder decoder = decoder(registry);
      assertEquals(Reason.EMPTY_VALUE, assertThrows(UserRecordException.class, () -> decoder.decode(null)).reason());
      assertEquals(Reason.EMPTY_VALUE, assertThrows(UserRecordException.class, () -> decoder.decode(new byte[0])).reason());
      UserRecordException json = assertThrows(UserRecordException.class, () -> decoder.decode("{}".getBytes()));
      assertEquals(Reason.NOT_CONFLUENT_WIRE_FORMAT, json.reason());
      UserRecordException single = assertThrows(UserRecordException.class,
          () -> decoder.decode(Fixtures.values("single-object.hex").get("v1-0")));
      assertTrue(single.getMessage().contains("use --input-format avro"), single.getMessage());
      assertEquals(Reason.NOT_CONFLUENT_WIRE_FORMAT,
          assertThrows(UserRecordException.class, () -> decoder.decode(new byte[] {0, 0, 7})).reason());
      assertEquals(0, registry.totalCalls());
    }
  }

  @Test
  void truncatedAndPaddedBodiesAreCorruptOrTrailingNeverACrash() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      ConfluentAvroDecoder decoder = decoder(registry);
      for (Map.Entry<String, byte[]> e : recorded.entrySet()) {
        byte[] full = e.getValue();
        for (int length = ConfluentWireFormat.HEADER_LENGTH; length < full.length; length++) {
          byte[] cut = Arrays.copyOf(full, length);
          assertEquals(Reason.CORRUPT_BODY, assertThrows(UserRecordException.class, () -> decoder.decode(cut),
              e.getKey() + " cut to " + length).reason());
        }
        byte[] padded = Arrays.copyOf(full, full.length + 1);
        assertEquals(Reason.TRAILING_BYTES, assertThrows(UserRecordException.class, () -> decoder.decode(padded)).reason());
      }
    }
  }

  @Test
  void theEncoderWritesWhatPythonWrote() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      ConfluentAvroDecoder decoder = decoder(registry);
      for (Map.Entry<String, byte[]> e : recorded.entrySet()) {
        int id = e.getKey().startsWith("v1") ? 7 : 8;
        assertArrayEquals(e.getValue(), ConfluentWireFormat.encode(id, decoder.decode(e.getValue())), e.getKey());
      }
      assertEquals("0000000007", HexFormat.of().formatHex(recorded.get("v1-0"), 0, 5), "magic 0, id 7 big endian");
    }
  }

  @Test
  void aRegistryThatIsDownIsNotTheRecordsFaultAndIsAskedAgain() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      registry.answerEverything(500, Fixtures.text("registry/error-50001.json"));
      ConfluentAvroDecoder decoder = decoder(registry);
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> decoder.decode(recorded.get("v1-0")));
      assertEquals(SchemaRegistryException.Kind.SERVER_ERROR, e.kind());
      assertTrue(e.retriable());
      registry.answerEverything(200, Fixtures.text("registry/schemas-ids-7.json"));
      assertEquals("DTW", GenericPath.value(decoder.decode(recorded.get("v1-0")), "origin"));
      assertEquals(2, registry.calls("GET /schemas/ids/7"));
    }
  }
}
