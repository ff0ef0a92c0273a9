package io.streamlearn.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFilesTest {
  private static List<EventFiles.Row> all(Iterator<EventFiles.Row> it) {
    List<EventFiles.Row> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static BufferedReader text(String s) {
    return new BufferedReader(new StringReader(s));
  }

  @Test
  void csvTakesTheLabelFromTheChosenColumnAndSkipsTheHeader() {
    List<EventFiles.Row> rows = all(EventFiles.csv(text("a,b,label\n0.5,1.5,2\n\n-1,2,0.25\n"), "last", true, "t.csv"));
    assertEquals(2, rows.size(), "two data lines, blank line skipped");
    assertArrayEquals(new float[] {0.5f, 1.5f}, rows.get(0).features());
    assertEquals(2, rows.get(0).label(), "an integer label is a class index");
    assertEquals(0.25f, rows.get(1).label(), "a decimal label is a regression target");

    EventFiles.Row first = all(EventFiles.csv(text("3,0.1,0.2\n"), "first", false, "t.csv")).get(0);
    assertEquals(3, first.label());
    assertArrayEquals(new float[] {0.1f, 0.2f}, first.features());

    EventFiles.Row none = all(EventFiles.csv(text("3,0.1,0.2\n"), "none", false, "t.csv")).get(0);
    assertNull(none.label(), "label.column none gives FeatureEvents");
    assertArrayEquals(new float[] {3f, 0.1f, 0.2f}, none.features());
  }

  @Test
  void aBadLineIsAnErrorNamingFileAndLine() {
    Iterator<EventFiles.Row> it = EventFiles.csv(text("1,2,0\n1,x,0\n"), "last", false, "data.csv");
    it.next();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::next);
    assertTrue(e.getMessage().contains("data.csv line 2"), e.getMessage());
  }

  @Test
  void jsonLinesAcceptPlainAndAvroUnionLabelsAndOptionalFields() {
    List<EventFiles.Row> rows = all(EventFiles.jsonLines(text(
        "{\"id\": \"a\", \"eventTime\": 1700000000000, \"features\": [1, 2.5], \"label\": {\"int\": 1}}\n"
            + "{\"features\": [0.5], \"label\": 0.75}\n"
            + "{\"features\": [3]}\n"), "t.jsonl"));
    assertEquals(3, rows.size());
    assertEquals("a", rows.get(0).id());
    assertEquals(1700000000000L, rows.get(0).eventTime());
    assertEquals(1, rows.get(0).label());
    assertArrayEquals(new float[] {1f, 2.5f}, rows.get(0).features());
    assertEquals(0.75f, rows.get(1).label());
    assertNull(rows.get(1).id(), "no id: the producer numbers it");
    assertNull(rows.get(2).label(), "no label: a FeatureEvent");
    Iterator<EventFiles.Row> bad = EventFiles.jsonLines(text("{\"features\": \"no\"}\n"), "t.jsonl");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::next);
    assertTrue(e.getMessage().contains("t.jsonl line 1") && e.getMessage().contains("features"), e.getMessage());
  }

  @Test
  void idxImagesAreScaledToUnitRangeWithTheirLabels(@TempDir Path dir) throws Exception {
    Path images = dir.resolve("img-idx3-ubyte");
    Path labels = dir.resolve("lab-idx1-ubyte");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(images))) {
      out.writeInt(0x0803);
      out.writeInt(2);
      out.writeInt(2);
      out.writeInt(2);
      out.write(new byte[] {0, (byte) 255, 51, 102, 1, 2, 3, 4});
    }
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labels))) {
      out.writeInt(0x0801);
      out.writeInt(2);
      out.write(new byte[] {7, 9});
    }
    List<EventFiles.Row> rows = all(EventFiles.idx(images, labels));
    assertEquals(2, rows.size());
    assertArrayEquals(new float[] {0f, 1f, 0.2f, 0.4f}, rows.get(0).features(), 1e-6f);
    assertEquals(7, rows.get(0).label());
    assertEquals(9, rows.get(1).label());
    assertFalse(all(EventFiles.idx(images, null)).stream().anyMatch(r -> r.label() != null),
        "without a labels file every image is unlabeled");
  }
}
