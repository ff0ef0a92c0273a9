package io.streamlearn.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.SparseRows;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformsTest {

  private static final float EPS = 1e-6f;

  private static FeaturePipeline pipeline(String spec) {
    return new FeaturePipeline(FeatureSpec.parse(spec), null, 0);
  }

  private static float[] dense(FeaturePipeline pipeline, InputRecord record) {
    SparseRows rows = new SparseRows(pipeline.layout(), 1);
    pipeline.featurize(record, rows);
    return Arrays.copyOf(rows.dense(), pipeline.layout().denseWidth());
  }

  /** The row's sparse entries as (slot, value) pairs, slots counted from the sparse block's start. */
  private static float[] sparse(FeaturePipeline pipeline, InputRecord record) {
    SparseRows rows = new SparseRows(pipeline.layout(), 1);
    pipeline.featurize(record, rows);
    int n = rows.rowStart()[1];
    float[] pairs = new float[2 * n];
    for (int e = 0; e < n; e++) {
      pairs[2 * e] = rows.slots()[e];
      pairs[2 * e + 1] = rows.values()[e];
    }
    return pairs;
  }

  @Test
  void numericIsStandardizedWithTheWelfordMeanAndPopulationStd() {
    FeaturePipeline p = pipeline("x:numeric");
    assertEquals(new FeatureLayout(2, List.of()), p.layout());
    assertEquals(List.of("x", "x.missing"), p.denseColumns());
    for (double x : new double[] {1, 2, 3}) {
      p.learn(MapRecord.of("x", x));
    }
    // mean 2, squared deviations 1 + 0 + 1 = 2, std sqrt(2 / 3) = 0.8164966
    assertArrayEquals(new float[] {(float) (2 / Math.sqrt(2.0 / 3)), 0}, dense(p, MapRecord.of("x", 4L)), EPS);
    assertEquals(2, p.freeze().mean("x"), 1e-12);
    assertEquals(Math.sqrt(2.0 / 3), p.freeze().std("x"), 1e-12);
  }

  @Test
  void numericIsZeroUntilTwoDifferentValuesGiveItAScale() {
    FeaturePipeline p = pipeline("x:numeric");
    assertArrayEquals(new float[] {0, 0}, dense(p, MapRecord.of("x", 1750L)), EPS);
    p.learn(MapRecord.of("x", 1750L));
    p.learn(MapRecord.of("x", 1750L));
    assertArrayEquals(new float[] {0, 0}, dense(p, MapRecord.of("x", 2399L)), EPS);
    p.learn(MapRecord.of("x", 1747L));
    // mean 1749, squared deviations 1 + 1 + 4 = 6, std sqrt(6 / 3) = sqrt(2)
    assertArrayEquals(new float[] {(float) (650 / Math.sqrt(2)), 0}, dense(p, MapRecord.of("x", 2399L)), EPS);
  }

  @Test
  void numericMissingNanAndNonNumericStringsAreImputedWithTheMeanAndFlagged() {
    FeaturePipeline p = pipeline("x?:numeric");
    p.learn(MapRecord.of("x", 10L));
    p.learn(MapRecord.of("x", "NA")); // not counted
    p.learn(MapRecord.of("x", 20L));
    assertEquals(2, p.freeze().count("x"));
    float[] imputed = {0, 1};
    assertArrayEquals(imputed, dense(p, MapRecord.of()), EPS);
    assertArrayEquals(imputed, dense(p, MapRecord.of("x", Double.NaN)), EPS);
    assertArrayEquals(imputed, dense(p, MapRecord.of("x", "")), EPS);
    assertArrayEquals(imputed, dense(p, MapRecord.of("x", "1e999")), EPS);
    assertArrayEquals(imputed, dense(p, MapRecord.of("x", Double.NEGATIVE_INFINITY)), EPS);
    // a numeric string is a number: (25 - 15) / 5
    assertArrayEquals(new float[] {2, 0}, dense(p, MapRecord.of("x", "25")), EPS);
    BadRecordException e = assertThrows(BadRecordException.class, () -> dense(p, MapRecord.of("x", true)));
    assertEquals("x", e.field());
    assertEquals("expected a number, found true", e.reason());
  }

  @Test
  void theFirstTrainingRowIsLearnedBeforeItIsFeaturized() {
    FeaturePipeline p = pipeline("x:numeric, c:category(3)");
    SparseRows rows = new SparseRows(p.layout(), 2);
    p.learnAndFeaturize(MapRecord.of("x", 7L, "c", "new"), rows);
    assertArrayEquals(new float[] {0, 0}, Arrays.copyOf(rows.dense(), 2), EPS); // one value: no scale yet
    assertEquals(0, rows.slots()[0]); // the new value's own slot, not "other"
  }

  @Test
  void boolWritesOneOrZeroAndAMissingIndicator() {
    FeaturePipeline p = pipeline("b?:bool");
    assertArrayEquals(new float[] {1, 0}, dense(p, MapRecord.of("b", true)), EPS);
    assertArrayEquals(new float[] {0, 0}, dense(p, MapRecord.of("b", "FALSE")), EPS);
    assertArrayEquals(new float[] {1, 0}, dense(p, MapRecord.of("b", 1L)), EPS);
    assertArrayEquals(new float[] {0, 1}, dense(p, MapRecord.of()), EPS);
    assertEquals("expected a boolean (true/false or 1/0), found 2",
        assertThrows(BadRecordException.class, () -> dense(p, MapRecord.of("b", 2L))).reason());
  }

  @Test
  void categoryValuesKeepTheirFirstSlotForeverAndTheRestShareOther() {
    FeaturePipeline p = pipeline("c:category(2)");
    assertEquals(new FeatureLayout(0, List.of(new FeatureLayout.SparseField("c", 3))), p.layout());
    for (String value : List.of("a", "b", "c", "a", "c", "c")) {
      p.learn(MapRecord.of("c", value));
    }
    assertEquals(List.of("a", "b"), p.freeze().vocabulary("c"));
    assertArrayEquals(new float[] {0, 1}, sparse(p, MapRecord.of("c", "a")), EPS);
    assertArrayEquals(new float[] {1, 1}, sparse(p, MapRecord.of("c", "b")), EPS);
    assertArrayEquals(new float[] {2, 1}, sparse(p, MapRecord.of("c", "c")), EPS); // frequent, but too late
    assertArrayEquals(new float[] {2, 1}, sparse(p, MapRecord.of("c", "never seen")), EPS);
  }

  @Test
  void categoryKeysOfNumbersAndBooleansAreTheirCanonicalText() {
    FeaturePipeline p = pipeline("c:category(5)");
    p.learn(MapRecord.of("c", 3L));
    p.learn(MapRecord.of("c", 3.0));
    p.learn(MapRecord.of("c", 2.5));
    p.learn(MapRecord.of("c", false));
    assertEquals(List.of("3", "2.5", "false"), p.freeze().vocabulary("c"));
  }

  @Test
  void murmur3MatchesPublishedVectorsForStringsAndBytes() {
    assertEquals(0, Hashing.murmur3(""));
    assertEquals(0x248bfa47, Hashing.murmur3("hello"));
    assertEquals(0xba6bd213, Hashing.murmur3("test"));
    assertEquals(0x2e4ff723, Hashing.murmur3("The quick brown fox jumps over the lazy dog"));
    byte[] aaaa = "aaaa".getBytes(StandardCharsets.UTF_8);
    assertEquals(0x5a97808a, Hashing.murmur3(aaaa, 0, 4, 0x9747b28c));
    byte[] utf8 = "Zürich".getBytes(StandardCharsets.UTF_8);
    assertEquals(Hashing.murmur3(utf8, 0, utf8.length, 0), Hashing.murmur3("Zürich"));
  }

  @Test
  void hashBucketIsTheLow31BitsModuloAndTheSignIsBit31() {
    FeaturePipeline p = pipeline("h:hash(16)");
    // "hello": 0x248bfa47, positive, 0x248bfa47 % 16 = 7
    assertArrayEquals(new float[] {7, 1}, sparse(p, MapRecord.of("h", "hello")), EPS);
    // "test": 0xba6bd213, bit 31 set, 0x3a6bd213 % 16 = 3
    assertArrayEquals(new float[] {3, -1}, sparse(p, MapRecord.of("h", "test")), EPS);
    assertEquals(0x3a6bd213 % 1000, Hashing.bucket(0xba6bd213, 1000));
  }

  @Test
  void tokensAreLowerCasedWordsHashedAsASignedBag() {
    FeaturePipeline p = pipeline("t:tokens(hash=16)");
    int world = Hashing.murmur3("world");
    assertArrayEquals(new float[] {7, 1, 7, 1, Hashing.bucket(world, 16), Hashing.sign(world)},
        sparse(p, MapRecord.of("t", "Hello, hello WORLD!")), EPS);
    assertArrayEquals(new float[] {}, sparse(p, MapRecord.of("t", " ,;")), EPS);
  }

  @Test
  void timePartsAreCyclicSinCosOfHourWeekdayMonthAndDayOfYear() {
    FeaturePipeline p = pipeline("d:time(\"yyyy/MM/dd HH:mm\", hour, weekday)");
    // 2001-01-01 was a Monday (phase 0); 00:47 is (47 / 60) / 24 of a day
    double hour = 2 * Math.PI * (47 / 60.0) / 24;
    assertArrayEquals(new float[] {(float) Math.sin(hour), (float) Math.cos(hour), 0, 1},
        dense(p, MapRecord.of("d", "2001/01/01 00:47")), EPS);
    // epoch milliseconds: 1970-01-01 00:00 UTC, a Thursday (Monday + 3)
    double thursday = 2 * Math.PI * 3 / 7;
    assertArrayEquals(new float[] {0, 1, (float) Math.sin(thursday), (float) Math.cos(thursday)},
        dense(p, MapRecord.of("d", 0L)), EPS);

    FeaturePipeline iso = pipeline("d:time(hour, weekday, month, dayofyear)");
    // 2024-02-29 12:00 (UTC, or local time in the stated offset): noon (phase 1/2), a Thursday, month 2 (phase 1/12), day 60 of 366
    double month = 2 * Math.PI / 12;
    double day = 2 * Math.PI * 59 / 366;
    float[] expected = {0, -1, (float) Math.sin(thursday), (float) Math.cos(thursday),
        (float) Math.sin(month), (float) Math.cos(month), (float) Math.sin(day), (float) Math.cos(day)};
    assertArrayEquals(expected, dense(iso, MapRecord.of("d", "2024-02-29T12:00:00Z")), EPS);
    assertArrayEquals(expected, dense(iso, MapRecord.of("d", "2024-02-29T12:00:00+05:00")), EPS);
    assertArrayEquals(expected, dense(iso, MapRecord.of("d", "2024-02-29T12:00")), EPS);
  }

  @Test
  void theTimePartTablesHoldExactlyWhatTheFormulaGives() {
    List<TimePart> parts = List.of(TimePart.HOUR, TimePart.WEEKDAY, TimePart.MONTH, TimePart.DAYOFYEAR);
    double[] fromTables = new double[8];
    for (int[] date : new int[][] {{2001, 3, 31}, {2024, 12, 31}, {2024, 2, 29}, {1999, 1, 1}}) {
      for (int minute = 0; minute < 1440; minute += 7) {
        int[] civil = {date[0], date[1], date[2], minute / 60, minute % 60, 0};
        Timestamps.columns(parts, civil, fromTables);
        for (int p = 0; p < parts.size(); p++) {
          double angle = 2 * Math.PI * Timestamps.phase(parts.get(p), civil);
          assertEquals(Math.sin(angle), fromTables[2 * p], 0.0);
          assertEquals(Math.cos(angle), fromTables[2 * p + 1], 0.0);
        }
      }
    }
  }

  @Test
  void aPatternTheHandParserCannotReadGoesThroughTheFormatter() {
    FeaturePipeline p = pipeline("d:time(\"d MMM yyyy HH:mm\", hour)");
    assertArrayEquals(new float[] {0, -1}, dense(p, MapRecord.of("d", "3 Mar 2020 12:00")), EPS);
  }

  @Test
  void anUnparsableTimestampIsABadRecordNamingTheFieldAndThePattern() {
    FeaturePipeline p = pipeline("d:time(\"yyyy/MM/dd HH:mm\", hour)");
    for (String bad : List.of("2001-01-01 00:47", "2001/13/01 00:47", "2001/02/29 00:47", "2001/01/01 24:00", "")) {
      BadRecordException e = assertThrows(BadRecordException.class, () -> dense(p, MapRecord.of("d", bad)));
      assertEquals("d", e.field());
      assertEquals("unparsable timestamp \"" + bad + "\", expected the pattern \"yyyy/MM/dd HH:mm\" or epoch milliseconds",
          e.reason());
    }
    assertEquals("timestamp 1.0E20 is out of range for epoch milliseconds",
        assertThrows(BadRecordException.class, () -> dense(p, MapRecord.of("d", 1e20))).reason());
    assertEquals("expected a timestamp (string or epoch milliseconds), found true",
        assertThrows(BadRecordException.class, () -> dense(p, MapRecord.of("d", true))).reason());
  }

  @Test
  void arraysPassThroughAndAnotherLengthIsABadRecord() {
    FeaturePipeline p = pipeline("a?:array(3), x:numeric");
    assertArrayEquals(new float[] {1.5f, -2, 0, 0, 0}, dense(p, MapRecord.of("a", List.of(1.5, -2L, 0L), "x", 1L)), EPS);
    assertArrayEquals(new float[] {0, 0, 0, 0, 0}, dense(p, MapRecord.of("x", 1L)), EPS);
    assertEquals("expected an array of 3 numbers, found 2",
        assertThrows(BadRecordException.class, () -> dense(p, MapRecord.of("a", List.of(1L, 2L), "x", 1L))).reason());
    assertEquals("element 0: expected a finite float, found 1.0E300",
        assertThrows(BadRecordException.class, () -> dense(p, MapRecord.of("a", List.of(1e300, 2L, 3L), "x", 1L))).reason());
    assertEquals("element 1: expected a number, found the string \"two\"",
        assertThrows(BadRecordException.class, () -> dense(p, MapRecord.of("a", List.of(1L, "two", 3L), "x", 1L))).reason());
  }

  @Test
  void aMissingRequiredFieldIsABadRecordAndNothingIsWrittenOrLearned() {
    FeaturePipeline p = pipeline("x:numeric, c:category(4), y:numeric");
    SparseRows rows = new SparseRows(p.layout(), 1);
    BadRecordException e = assertThrows(BadRecordException.class,
        () -> p.learnAndFeaturize(MapRecord.of("x", 1L, "c", "a"), rows));
    assertEquals("y", e.field());
    assertEquals("missing required field", e.reason());
    assertEquals(0, rows.rows());
    assertEquals(0, p.freeze().count("x"));
    assertEquals(List.of(), p.freeze().vocabulary("c"));
  }

  @Test
  void denseAndSparseFieldsFormTheLayoutInSpecOrder() {
    FeaturePipeline p = pipeline("o:category(3), x:numeric, h:hash(8), b:bool, t:tokens(hash=4), d:time(hour)");
    assertEquals(new FeatureLayout(6, List.of(new FeatureLayout.SparseField("o", 4),
        new FeatureLayout.SparseField("h", 8), new FeatureLayout.SparseField("t", 4))), p.layout());
    assertEquals(List.of("x", "x.missing", "b", "b.missing", "d.hour.sin", "d.hour.cos"), p.denseColumns());
    assertEquals(List.of(new InputField("o", "category(3)", false), new InputField("x", "numeric", false),
        new InputField("h", "hash(8)", false), new InputField("b", "bool", false),
        new InputField("t", "tokens(hash=4)", false), new InputField("d", "time(hour)", false)), p.inputFields());
    // sparse slots are offset by the fields before: "hello" is bucket 7 of h, i.e. slot 4 + 7
    SparseRows rows = new SparseRows(p.layout(), 1);
    p.featurize(MapRecord.of("o", "z", "x", 1L, "h", "hello", "b", true, "t", "", "d", 0L), rows);
    assertArrayEquals(new int[] {3, 11}, Arrays.copyOf(rows.slots(), 2));
  }

  @Test
  void timeKeysAreSignedHashesOfThePartAndTheCrossedValuesInOneSparseField() {
    FeaturePipeline p = pipeline("d:time(\"yyyy/MM/dd HH:mm\", hour, keys=[hour, weekday, month, dayofyear, date, date*o], hash=1024)");
    assertEquals(new FeatureLayout(2, List.of(new FeatureLayout.SparseField("d", 1024))), p.layout());
    assertEquals(List.of(new InputField("d", "time(\"yyyy/MM/dd HH:mm\", hour, keys=[hour, weekday, month, dayofyear, "
        + "date, date*o], hash=1024)", false), new InputField("o", "key", true)), p.inputFields());
    // 2001-01-03 was a Wednesday (weekday 3, Monday = 1), day 3 of the year
    String[] keys = {"hour=7", "weekday=3", "month=1", "dayofyear=3", "date=2001-01-03", "date=2001-01-03*o=DTW"};
    float[] expected = new float[2 * keys.length];
    for (int k = 0; k < keys.length; k++) {
      int h = Hashing.murmur3(keys[k]);
      expected[2 * k] = Hashing.bucket(h, 1024);
      expected[2 * k + 1] = Hashing.sign(h);
    }
    assertArrayEquals(expected, sparse(p, MapRecord.of("d", "2001/01/03 07:05", "o", "DTW")), EPS);
    double hour = 2 * Math.PI * (7 + 5 / 60.0) / 24;
    assertArrayEquals(new float[] {(float) Math.sin(hour), (float) Math.cos(hour)},
        dense(p, MapRecord.of("d", "2001/01/03 07:05", "o", "DTW")), EPS);
    // without the crossed field, that key writes no slot; the others are written as before
    assertArrayEquals(Arrays.copyOf(expected, 10), sparse(p, MapRecord.of("d", "2001/01/03 07:05")), EPS);
  }

  @Test
  void aTimeKeyCrossedWithAnObjectIsABadRecordNamingTheCrossedField() {
    FeaturePipeline p = pipeline("d:time(keys=[date*o], hash=16)");
    BadRecordException e = assertThrows(BadRecordException.class,
        () -> p.featurize(MapRecord.of("d", "2001-01-03", "o", List.of(1L)), new SparseRows(p.layout(), 1)));
    assertEquals("o", e.field());
  }

  @Test
  void theJsonDecoderReadsTheFieldsATimeKeyCrossesWith() {
    FeatureSpec spec = FeatureSpec.parse("d:time(\"yyyy/MM/dd HH:mm\", keys=[date*origin], hash=4096)");
    FeaturePipeline p = new FeaturePipeline(spec, null, 0);
    InputRecord decoded = JsonRecordDecoder.forPipeline(spec, null, null).decode(
        "{\"d\":\"2001/01/03 07:05\",\"origin\":\"DTW\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals("DTW", decoded.value("origin"));
    assertArrayEquals(sparse(p, MapRecord.of("d", "2001/01/03 07:05", "origin", "DTW")), sparse(p, decoded), EPS);
  }
}
