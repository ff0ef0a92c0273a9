package io.streamlearn.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.streamlearn.features.BadRecordException;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.schema.user.ConfluentWireFormat;
import io.streamlearn.schema.user.SingleObjectDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** The one decoder seam for the users' own records: JSON, Avro single-object and Confluent Avro. */
class RawRecordDecoderTest {
  private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Flight\",\"fields\":["
      + "{\"name\":\"distance\",\"type\":[\"null\",\"int\"],\"default\":null},"
      + "{\"name\":\"route\",\"type\":{\"type\":\"record\",\"name\":\"Route\",\"fields\":["
      + "{\"name\":\"origin\",\"type\":\"string\"}]}}]}";
  private static final List<String> PATHS = List.of("distance", "route.origin", "route");

  private static GenericRecord flight(Schema schema, Integer distance, String origin) {
    GenericRecord route = new GenericData.Record(schema.getField("route").schema());
    route.put("origin", origin);
    GenericRecord f = new GenericData.Record(schema);
    f.put("distance", distance);
    f.put("route", route);
    return f;
  }

  @Test
  void jsonValuesAreReadByPathAndATombstoneIsABadRecord() {
    RawInput input = RawInput.json(FeatureSpec.parse("distance:numeric"), LabelSpec.parse("delay>15"), "id");
    RawRecordDecoder decoder = input.decoder(List.of("distance", "delay"), Map.of());
    InputRecord r = decoder.decode("{\"id\":\"a\",\"distance\":7,\"delay\":20}".getBytes(StandardCharsets.UTF_8));
    assertEquals(7L, r.value("distance"));
    assertEquals("a", r.value("id"), "the id field is read too");
    BadRecordException e = assertThrows(BadRecordException.class, () -> decoder.decode(null));
    assertNull(e.field());
  }

  @Test
  void avroSingleObjectRecordsAreReadByDottedPathAndBadOnesNameTheirField() throws Exception {
    Path avsc = Files.createTempFile("flight", ".avsc");
    Files.writeString(avsc, SCHEMA);
    Schema schema = new Schema.Parser().parse(SCHEMA);
    RawInput input = new RawInput(InputFormat.AVRO, FeatureSpec.parse("distance:numeric"), null, null,
        List.of(avsc), null);
    RawRecordDecoder decoder = input.decoder(PATHS, Map.of());
    byte[] good = SingleObjectDecoder.encode(flight(schema, 1750, "DTW"));
    InputRecord r = decoder.decode(good);
    assertEquals(1750, ((Number) r.value("distance")).intValue());
    assertEquals("DTW", r.value("route.origin"));
    assertNull(decoder.decode(SingleObjectDecoder.encode(flight(schema, null, "LAS"))).value("distance"),
        "a null union branch is a missing value");
    BadRecordException nested = assertThrows(BadRecordException.class, () -> r.value("route"));
    assertEquals("route", nested.field(), "a path ending on a record is that field's fault: " + nested.reason());
    BadRecordException truncated = assertThrows(BadRecordException.class,
        () -> decoder.decode(Arrays.copyOf(good, 11)));
    assertNull(truncated.field(), "the record as a whole: " + truncated.reason());
  }

  @Test
  void confluentAvroFetchesTheWriterSchemaOnceFromTheRegistry() throws Exception {
    Schema schema = new Schema.Parser().parse(SCHEMA);
    AtomicInteger calls = new AtomicInteger();
    HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    registry.createContext("/schemas/ids/7", exchange -> {
      calls.incrementAndGet();
      byte[] body = ("{\"schema\":" + com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
          .writeValueAsString(SCHEMA) + "}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    registry.start();
    try {
      String url = "http://127.0.0.1:" + registry.getAddress().getPort();
      RawInput input = new RawInput(InputFormat.CONFLUENT_AVRO, FeatureSpec.parse("distance:numeric"), null, null,
          List.of(), url);
      RawRecordDecoder decoder = input.decoder(PATHS, Map.of());
      for (int i = 0; i < 3; i++) {
        InputRecord r = decoder.decode(ConfluentWireFormat.encode(7, flight(schema, 100 + i, "ORD")));
        assertEquals(100 + i, ((Number) r.value("distance")).intValue());
        assertEquals("ORD", r.value("route.origin"));
      }
      assertEquals(1, calls.get(), "the schema is cached by id");
      BadRecordException e = assertThrows(BadRecordException.class,
          () -> decoder.decode("{\"not\":\"confluent\"}".getBytes(StandardCharsets.UTF_8)));
      assertNull(e.field());
      assertTrue(!e.reason().isBlank());
    } finally {
      registry.stop(0);
    }
  }
}
