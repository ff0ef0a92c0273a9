package io.streamlearn.schema.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class GenericPathTest {
  private static final Schema DECIMAL_FIXED = new Schema.Parser().parse(
      "{\"type\":\"fixed\",\"name\":\"Money\",\"size\":4,\"logicalType\":\"decimal\",\"precision\":8,\"scale\":2}");
  private static final Schema SCHEMA = new Schema.Parser().parse("""
      {"type": "record", "name": "Event", "fields": [
        {"name": "id", "type": "string"},
        {"name": "when", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "score", "type": "float"},
        {"name": "flag", "type": ["null", "boolean"], "default": null},
        {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
        {"name": "user", "type": ["null", {"type": "record", "name": "User", "fields": [
          {"name": "country", "type": "string"},
          {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
            {"name": "city", "type": "string"}]}}]}], "default": null},
        {"name": "weights", "type": {"type": "array", "items": "double"}},
        {"name": "words", "type": {"type": "array", "items": "string"}},
        {"name": "counts", "type": {"type": "map", "values": "int"}},
        {"name": "raw", "type": "bytes"},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 8, "scale": 2}},
        {"name": "total", "type": "Money_placeholder"}
      ]}""".replace("\"Money_placeholder\"", DECIMAL_FIXED.toString()));

  private static GenericRecord event() {
    GenericData.Record address = new GenericData.Record(SCHEMA.getField("user").schema().getTypes().get(1)
        .getField("address").schema());
    address.put("city", new Utf8("Lyon"));
    GenericData.Record user = new GenericData.Record(SCHEMA.getField("user").schema().getTypes().get(1));
    user.put("country", new Utf8("FR"));
    user.put("address", address);
    GenericData.Record r = new GenericData.Record(SCHEMA);
    r.put("id", new Utf8("e-1"));
    r.put("when", 1_700_000_000_000L);
    r.put("score", 0.5f);
    r.put("flag", true);
    r.put("kind", new GenericData.EnumSymbol(SCHEMA.getField("kind").schema(), "B"));
    r.put("user", user);
    r.put("weights", new GenericData.Array<>(SCHEMA.getField("weights").schema(), List.of(1.5, -2.0)));
    r.put("words", new GenericData.Array<>(SCHEMA.getField("words").schema(), List.of(new Utf8("hello"), new Utf8("world"))));
    r.put("counts", Map.of(new Utf8("bags"), 2));
    r.put("raw", ByteBuffer.wrap(new byte[] {1, 2}));
    Schema priceSchema = SCHEMA.getField("price").schema();
    r.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.34"), priceSchema,
        priceSchema.getLogicalType()));
    r.put("total", new Conversions.DecimalConversion().toFixed(new BigDecimal("-5.00"), DECIMAL_FIXED,
        DECIMAL_FIXED.getLogicalType()));
    return r;
  }

  @Test
  void scalarsComeBackAsStringNumberOrBoolean() {
    GenericRecord e = event();
    assertEquals("e-1", GenericPath.value(e, "id"));
    assertEquals(1_700_000_000_000L, GenericPath.value(e, "when"), "a timestamp-millis is its long");
    assertEquals(0.5f, GenericPath.value(e, "score"));
    assertEquals(Boolean.TRUE, GenericPath.value(e, "flag"));
    assertEquals("B", GenericPath.value(e, "kind"), "an enum symbol is its name");
    assertEquals(new BigDecimal("12.34"), GenericPath.value(e, "price"), "a decimal in bytes is a BigDecimal");
    assertEquals(new BigDecimal("-5.00"), GenericPath.value(e, "total"), "a decimal in fixed is a BigDecimal");
  }

  @Test
  void nestedRecordsAndMapsAreWalkedByThePath() {
    GenericRecord e = event();
    assertEquals("FR", GenericPath.value(e, "user.country"));
    assertEquals("Lyon", GenericPath.value(e, "user.address.city"));
    assertEquals(2, GenericPath.value(e, "counts.bags"));
    GenericData.Record withStringKeys = (GenericData.Record) event();
    withStringKeys.put("counts", Map.of("bags", 3));
    assertEquals(3, GenericPath.value(withStringKeys, "counts.bags"), "maps with String keys too");
  }

  @Test
  void arraysComeBackAsListsOfPlainValuesAndANumberIndexesThem() {
    GenericRecord e = event();
    assertEquals(List.of(1.5, -2.0), GenericPath.value(e, "weights"));
    assertEquals(List.of("hello", "world"), GenericPath.value(e, "words"), "Utf8 elements become Strings");
    assertEquals("world", GenericPath.value(e, "words.1"));
    assertNull(GenericPath.value(e, "words.2"));
    assertNull(GenericPath.value(e, "words.x"));
  }

  @Test
  void missingPathsAreNull() {
    GenericRecord e = event();
    assertNull(GenericPath.value(e, "nope"));
    assertNull(GenericPath.value(e, "user.nope"));
    assertNull(GenericPath.value(e, "counts.absent"));
    assertNull(GenericPath.value(e, "id.deeper"), "a scalar has no fields");
    GenericData.Record anonymous = (GenericData.Record) event();
    anonymous.put("user", null);
    anonymous.put("flag", null);
    assertNull(GenericPath.value(anonymous, "user.country"), "a null union branch");
    assertNull(GenericPath.value(anonymous, "flag"));
  }

  @Test
  void aPathEndingOnARecordMapOrPlainBytesIsAMistakeNamedInTheMessage() {
    GenericRecord e = event();
    IllegalArgumentException record = assertThrows(IllegalArgumentException.class, () -> GenericPath.value(e, "user"));
    assertTrue(record.getMessage().contains("user.country"), record.getMessage());
    IllegalArgumentException map = assertThrows(IllegalArgumentException.class, () -> GenericPath.value(e, "counts"));
    assertTrue(map.getMessage().contains("counts.key"), map.getMessage());
    IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class, () -> GenericPath.value(e, "raw"));
    assertTrue(bytes.getMessage().contains("path raw ends on an Avro bytes"), bytes.getMessage());
  }

  @Test
  void aCompiledPathReadsManyRecordsAndRefusesEmptySegments() {
    GenericPath city = GenericPath.of("user.address.city");
    assertEquals(List.of("user", "address", "city"), city.segments());
    assertEquals("Lyon", city.read(event()));
    for (String bad : new String[] {"", "a..b", ".a", "a."}) {
      assertThrows(IllegalArgumentException.class, () -> GenericPath.of(bad), bad);
    }
  }

  @Test
  void schemaBuilderRecordsWorkToo() {
    Schema s = SchemaBuilder.record("R").fields().requiredInt("n").endRecord();
    GenericData.Record r = new GenericData.Record(s);
    r.put("n", 4);
    assertEquals(4, GenericPath.value(r, "n"));
  }
}
