package io.streamlearn.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RawJsonLinesTest {
  private static RawJsonLines lines(String text, String keyField) {
    return new RawJsonLines(new BufferedReader(new StringReader(text)), "f.jsonl", keyField, "p-");
  }

  private static List<RawJsonLines.Line> all(RawJsonLines it) {
    List<RawJsonLines.Line> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void eachObjectIsSentByteForByteKeyedByItsLineNumber() {
    String first = "{\"date\": \"2001/01/01 00:47\", \"delay\": 66,  \"origin\": \"DTW\"}";
    String second = "{\"nested\":{\"a\":[1,2.50,null]},\"é\":\"ü\"}";
    List<RawJsonLines.Line> got = all(lines(first + "\n\n" + second + "\r\n", ""));
    assertEquals(2, got.size());
    assertEquals("p-1", got.get(0).key());
    assertEquals("p-3", got.get(1).key(), "blank lines count: the key is the file's line number");
    assertEquals(first, new String(got.get(0).value(), StandardCharsets.UTF_8), "spacing kept as written");
    assertEquals(second, new String(got.get(1).value(), StandardCharsets.UTF_8), "2.50 not rewritten as 2.5");
  }

  @Test
  void aJsonArrayFileGivesEachElementAsWrittenKeyedByItsPosition() {
    String a = "{\"date\":\"2001/01/01 00:47\",\"delay\":66,\"distance\":1750,\"origin\":\"DTW\",\"destination\":\"LAS\"}";
    String b = "{ \"date\": \"2001/01/01 01:10\", \"nested\": {\"x\": [1, {\"y\": \"]\"}]} }";
    List<RawJsonLines.Line> got = all(lines("\n  [" + a + ",\n  " + b + "]\n", ""));
    assertEquals(List.of("p-1", "p-2"), got.stream().map(RawJsonLines.Line::key).toList());
    assertEquals(a, new String(got.get(0).value(), StandardCharsets.UTF_8));
    assertEquals(b, new String(got.get(1).value(), StandardCharsets.UTF_8));
    List<RawJsonLines.Line> keyed = all(lines("[" + a + "]", "origin"));
    assertEquals("DTW", keyed.get(0).key());
    var e = assertThrows(IllegalArgumentException.class, () -> lines("[" + a + ", 3]", ""));
    assertTrue(e.getMessage().contains("f.jsonl line 2: not a JSON object"), e.getMessage());
    var open = assertThrows(IllegalArgumentException.class, () -> lines("[" + a + ", {\"a\": ", ""));
    assertTrue(open.getMessage().contains("line 2"), open.getMessage());
  }

  @Test
  void theKeyComesFromANestedFieldAsText() {
    List<RawJsonLines.Line> got = all(lines(
        "{\"user\": {\"id\": \"u-7\"}}\n{\"user\": {\"id\": 42}}\n{\"user\": {\"id\": true}}\n", "user.id"));
    assertEquals(List.of("u-7", "42", "true"), got.stream().map(RawJsonLines.Line::key).toList());
  }

  @Test
  void aBadLineIsAnErrorNamingTheFileAndTheLine() {
    RawJsonLines it = lines("{\"a\": 1}\n{\"a\": \n", "");
    it.next();
    var e = assertThrows(IllegalArgumentException.class, it::next);
    assertTrue(e.getMessage().startsWith("f.jsonl line 2: "), e.getMessage());
    assertFalse(it.hasNext());
  }

  @Test
  void anArrayTwoObjectsOrAMissingKeyFieldAreRefused() {
    var array = assertThrows(IllegalArgumentException.class, () -> lines("[1, 2]\n", "").next());
    assertTrue(array.getMessage().contains("line 1: not a JSON object"), array.getMessage());
    var two = assertThrows(IllegalArgumentException.class, () -> lines("{} {}\n", "").next());
    assertTrue(two.getMessage().contains("more than one JSON value"), two.getMessage());
    var twoKeyed = assertThrows(IllegalArgumentException.class, () -> lines("{\"k\": 1} {}\n", "k").next());
    assertTrue(twoKeyed.getMessage().contains("line 1"), twoKeyed.getMessage());
    var missing = assertThrows(IllegalArgumentException.class, () -> lines("{\"j\": 2}\n", "k").next());
    assertTrue(missing.getMessage().contains("line 1: key field k is missing"), missing.getMessage());
    var object = assertThrows(IllegalArgumentException.class, () -> lines("{\"k\": {}}\n", "k").next());
    assertTrue(object.getMessage().contains("not a string, number or boolean"), object.getMessage());
  }
}
