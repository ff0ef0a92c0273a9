package io.streamlearn.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureSpecTest {

  private static final String ISSUE_EXAMPLE = "distance:numeric, origin:category(500), destination:hash(4096), "
      + "date:time(\"yyyy/MM/dd HH:mm\", hour, weekday), note:tokens(hash=65536)";

  @Test
  void theIssuesExampleParsesIntoItsFieldsAndWritesBackTheSameText() {
    FeatureSpec spec = FeatureSpec.parse(ISSUE_EXAMPLE);
    assertEquals(List.of(
        new FieldSpec("distance", false, new Transform.Numeric()),
        new FieldSpec("origin", false, new Transform.Category(500)),
        new FieldSpec("destination", false, new Transform.Hash(4096)),
        new FieldSpec("date", false, new Transform.Time("yyyy/MM/dd HH:mm", List.of(TimePart.HOUR, TimePart.WEEKDAY))),
        new FieldSpec("note", false, new Transform.Tokens(65536))), spec.fields());
    assertEquals(ISSUE_EXAMPLE, spec.text());
    assertEquals(spec, FeatureSpec.parse(spec.text()));
  }

  @Test
  void everyTransformOptionalFieldsAndNestedPathsRoundTrip() {
    String text = "flag?:bool, pixels:array(784), user.country?:category(10), at:time, "
        + "t2:time(\"dd.MM.yyyy\"), t3:time(month, dayofyear), q:time(\"yyyy\\\"MM\", hour)";
    FeatureSpec spec = FeatureSpec.parse(text);
    assertTrue(spec.fields().get(0).optional());
    assertEquals("user.country", spec.fields().get(2).path());
    assertEquals(new Transform.Time(null, List.of(TimePart.HOUR, TimePart.WEEKDAY)), spec.fields().get(3).transform());
    assertEquals("yyyy\"MM", ((Transform.Time) spec.fields().get(6).transform()).pattern());
    assertEquals(spec, FeatureSpec.parse(spec.text()));
    assertEquals(spec, FeatureSpec.parse("  flag ? : bool ,pixels:array( 784 ),user.country?:category(10),at:time,"
        + "t2:time(\"dd.MM.yyyy\"),t3:time(month,dayofyear),q:time(\"yyyy\\\"MM\",hour)  "));
  }

  @Test
  void timeKeysParseIntoTheirPartsAndCrossedFieldsAndRoundTrip() {
    String text = "origin:category(300), date:time(\"yyyy/MM/dd HH:mm\", hour, weekday, "
        + "keys=[hour, date, date*origin, weekday*origin*carrier], hash=65536)";
    FeatureSpec spec = FeatureSpec.parse(text);
    assertEquals(new Transform.Time("yyyy/MM/dd HH:mm", List.of(TimePart.HOUR, TimePart.WEEKDAY),
        List.of(new Transform.TimeKey("hour", List.of()), new Transform.TimeKey("date", List.of()),
            new Transform.TimeKey("date", List.of("origin")), new Transform.TimeKey("weekday", List.of("origin", "carrier"))),
        65536), spec.fields().get(1).transform());
    assertEquals(text, spec.text());
    assertEquals(spec, FeatureSpec.parse(" origin : category(300) ,date:time( \"yyyy/MM/dd HH:mm\",hour,weekday,"
        + "keys = [ hour,date , date * origin,weekday*origin*carrier ] , hash = 65536 )"));
    assertEquals(List.of("origin", "date"), spec.paths());
    assertEquals(List.of("origin", "date", "carrier"), spec.inputPaths()); // carrier is read only for the key
    assertEquals(FeatureSpec.parse("d:time(keys=[month], hash=8)"), FeatureSpec.parse(FeatureSpec.parse("d:time(keys=[month], hash=8)").text()));
  }

  @Test
  void badTimeKeysAreNamedWithTheirPosition() {
    assertMessage("d:time(hour, keys=[date])", "time keys=[...] needs hash=n, the buckets they are hashed into at position 7");
    assertMessage("d:time(hour, hash=8)", "time hash=n needs keys=[...] at position 7");
    assertMessage("d:time(keys=[days], hash=8)", "expected a time key part (hour, weekday, month, dayofyear, date) at position 14, found 'days'");
    assertMessage("d:time(keys=[date, date], hash=8)", "time key date appears twice at position 20");
    assertMessage("d:time(keys=[date*o*o], hash=8)", "field o crossed twice in one key at position 21");
    assertMessage("d:time(keys=[date], hash=8, hour)", "time parts come before keys=[...] and hash=n at position 29");
    assertMessage("d:time(keys=[date], hash=0)", "time keys hash buckets must be in 1..16777216 at position 21");
    assertMessage("d:time(keys=[date hour], hash=8)", "expected ',' or ']' in keys=[...] at position 19, found 'hour'");
  }

  @Test
  void aSpecFileMayHoldCommentsAndAnArgumentThatIsNoFileIsTheSpecItself(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path file = dir.resolve("flights.spec");
    java.nio.file.Files.writeString(file, "# Flights\ndistance:numeric,   # miles\norigin:category(300)\n");
    assertEquals(FeatureSpec.parse("distance:numeric, origin:category(300)"), FeatureSpec.fromArgument(file.toString()));
    assertEquals(FeatureSpec.parse("x:bool"), FeatureSpec.fromArgument("x:bool"));
    java.nio.file.Files.writeString(file, "distance:numric");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureSpec.fromArgument(file.toString()));
    assertTrue(e.getMessage().startsWith(file + ": feature spec: unknown transform 'numric'"), e.getMessage());
  }

  @Test
  void aMisspelledTransformIsNamedWithItsPosition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureSpec.parse("distance:numeric, origin:categroy(5)"));
    assertTrue(e.getMessage().contains("unknown transform 'categroy'"), e.getMessage());
    assertTrue(e.getMessage().contains("at position 26, found 'categroy'"), e.getMessage());
  }

  @Test
  void syntaxErrorsNameWhatWasExpectedThePositionAndTheToken() {
    assertMessage("a:numeric b:bool", "expected ',' between fields at position 11, found 'b'");
    assertMessage("a numeric", "expected ':' after field a at position 3, found 'numeric'");
    assertMessage("a:category(", "expected a whole number at position 12, found the end");
    assertMessage("a:category(5", "expected ')' closing category at position 13, found the end");
    assertMessage("a:tokens(65536)", "expected hash=n in tokens(hash=n) at position 10, found '65536'");
    assertMessage("a:time(\"yyyy\", hour, hours)", "expected a time part (hour, weekday, month, dayofyear), keys=[...] or hash=n at position 22, found 'hours'");
    assertMessage("a:numeric, a:bool", "field a appears twice at position 12, found 'a'");
    assertMessage(":numeric", "expected a field name at position 1, found ':'");
    assertMessage("a:category(0)", "category capacity must be in 1..16777216, got 0 (field a) at position 3");
    assertMessage("a:time(\"yyyy-MM-dd bbb\")", "bad time pattern");
    assertMessage("a:time(\"yyyy", "unterminated string at position 8");
    assertMessage("", "feature spec is empty");
    assertMessage("a..b:numeric", "bad field path 'a..b'");
  }

  private static void assertMessage(String spec, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureSpec.parse(spec));
    assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
  }

  @Test
  void labelSpecsParseAndWriteBack() {
    assertEquals(new LabelSpec.Classification("label"), LabelSpec.parse("label"));
    assertEquals(new LabelSpec.Regression("price"), LabelSpec.parse("price:numeric"));
    assertEquals(new LabelSpec.Threshold("delay", LabelSpec.Comparison.GT, 15), LabelSpec.parse("delay>15"));
    assertEquals(new LabelSpec.Threshold("delay", LabelSpec.Comparison.GE, 15.5), LabelSpec.parse("delay >= 15.5"));
    assertEquals(new LabelSpec.Threshold("a.b", LabelSpec.Comparison.LE, -1), LabelSpec.parse("a.b<=-1"));
    assertEquals(new LabelSpec.Threshold("x", LabelSpec.Comparison.EQ, 0), LabelSpec.parse("x==0"));
    assertEquals(new LabelSpec.Threshold("x", LabelSpec.Comparison.LT, 3), LabelSpec.parse("x<3"));
    for (String text : List.of("label", "price:numeric", "delay>15", "delay>=15.5", "a.b<=-1", "x==0", "x<3")) {
      assertEquals(text, LabelSpec.parse(text).text());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSpec.parse("delay>fifteen"));
    assertTrue(e.getMessage().contains("expected a number after >, found 'fifteen'"), e.getMessage());
  }
}
