package io.streamlearn.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.tensor.SparseRows;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRecordDecoderTest {

  private static final FeatureSpec SPEC = FeatureSpec.parse(
      "distance:numeric, origin:category(10), user.country?:hash(64), date:time(\"yyyy/MM/dd HH:mm\", hour), v?:array(2)");
  private static final JsonRecordDecoder DECODER = JsonRecordDecoder.forPipeline(SPEC, LabelSpec.parse("delay>15"), "meta.id");

  private static InputRecord decode(String json) {
    return DECODER.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void onlyTheNamedPathsAreReadWithNestedObjectsFollowed() {
    InputRecord record = decode("{\"skip\": {\"deep\": [1, {\"x\": 2}]}, \"distance\": 1750, \"origin\": \"DTW\","
        + " \"user\": {\"name\": \"a\", \"country\": \"NZ\"}, \"date\": \"2001/01/01 00:47\", \"delay\": 66.5,"
        + " \"v\": [1, 2.5], \"meta\": {\"id\": 42}, \"big\": 123456789012345678901234567890}");
    assertEquals(1750L, record.value("distance"));
    assertEquals("DTW", record.value("origin"));
    assertEquals("NZ", record.value("user.country"));
    assertEquals(66.5, record.value("delay"));
    assertEquals(List.of(1L, 2.5), record.value("v"));
    assertEquals("42", new RecordId("meta.id").of(record, "key"));
    assertEquals("key", new RecordId(null).of(record, "key"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> record.value("big"));
    assertTrue(e.getMessage().contains("was not decoded"), e.getMessage());
  }

  @Test
  void absentNullAndUnderAScalarParentAllReadAsMissing() {
    InputRecord record = decode("{\"distance\": null, \"user\": \"not an object\"}");
    assertNull(record.value("distance"));
    assertNull(record.value("user.country"));
    assertNull(record.value("origin"));
    assertEquals("fallback", new RecordId("meta.id").of(record, "fallback"));
  }

  @Test
  void hugeIntegersStayExact() {
    assertEquals(new BigInteger("123456789012345678901234567890"),
        new JsonRecordDecoder(List.of("n")).decode("{\"n\": 123456789012345678901234567890}".getBytes(StandardCharsets.UTF_8)).value("n"));
  }

  @Test
  void bytesThatAreNotOneJsonObjectAreBadRecordsOfNoField() {
    for (String[] bad : new String[][] {
        {"", "not JSON: empty value"},
        {"[1, 2]", "not a JSON object: found an array"},
        {"\"text\"", "not a JSON object: found a string"},
        {"42", "not a JSON object: found a number"},
        {"{\"distance\": 1", "not JSON: "},
        {"{distance: 1}", "not JSON: "},
        {"{\"a\": 1} {\"b\": 2}", "not JSON: content after the object"},
        {"\u0000\u0001binary", "not JSON: "}}) {
      BadRecordException e = assertThrows(BadRecordException.class, () -> decode(bad[0]), bad[0]);
      assertNull(e.field(), bad[0]);
      assertTrue(e.reason().startsWith(bad[1]), bad[0] + " -> " + e.reason());
    }
  }

  @Test
  void badFieldsAreNamedWhenThePipelineReadsThem() {
    FeaturePipeline pipeline = new FeaturePipeline(SPEC, LabelSpec.parse("delay>15"), 2);
    String good = "\"distance\": 1, \"origin\": \"A\", \"date\": \"2001/01/01 00:47\", \"delay\": 3";
    assertBad(pipeline, "{\"origin\": \"A\", \"date\": \"2001/01/01 00:47\", \"delay\": 3}", "distance", "missing required field");
    assertBad(pipeline, "{" + good.replace("\"A\"", "{\"x\": 1}") + "}", "origin", "expected a string, number or boolean, found an object");
    assertBad(pipeline, "{" + good.replace("\"A\"", "[\"x\"]") + "}", "origin", "expected a string, number or boolean, found an array of 1");
    assertBad(pipeline, "{" + good.replace("\"distance\": 1", "\"distance\": false") + "}", "distance", "expected a number, found false");
    assertBad(pipeline, "{" + good.replace("00:47", "0:47") + "}", "date",
        "unparsable timestamp \"2001/01/01 0:47\", expected the pattern \"yyyy/MM/dd HH:mm\" or epoch milliseconds");
    assertBad(pipeline, "{" + good + ", \"v\": [1]}", "v", "expected an array of 2 numbers, found 1");
    assertBad(pipeline, "{" + good + ", \"user\": {\"country\": {}}}", "user.country", "expected a string, number or boolean, found an object");
    assertBad(pipeline, "{" + good.replace(", \"delay\": 3", "") + "}", "delay", "missing label");
    assertBad(pipeline, "{" + good.replace("\"delay\": 3", "\"delay\": \"late\"") + "}", "delay", "expected a number, found the string \"late\"");
    SparseRows rows = new SparseRows(pipeline.layout(), 1);
    assertEquals(new Label(0, 0), pipeline.learnAndFeaturize(decode("{" + good + "}"), rows));
    assertEquals(1, rows.rows());
  }

  private static void assertBad(FeaturePipeline pipeline, String json, String field, String reason) {
    SparseRows rows = new SparseRows(pipeline.layout(), 1);
    BadRecordException e = assertThrows(BadRecordException.class, () -> pipeline.learnAndFeaturize(decode(json), rows), json);
    assertEquals(field, e.field(), json);
    assertEquals(reason, e.reason(), json);
    assertEquals("field " + field + ": " + reason, e.getMessage());
    assertEquals(0, rows.rows());
  }
}
