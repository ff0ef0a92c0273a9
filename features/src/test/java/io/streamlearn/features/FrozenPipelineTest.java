package io.streamlearn.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.tensor.SparseRows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrozenPipelineTest {

  private static final FeatureSpec SPEC = FeatureSpec.parse("distance?:numeric, origin:category(3), dest:hash(32), "
      + "date:time(\"yyyy/MM/dd HH:mm\", hour, weekday, keys=[hour, date*origin, weekday*carrier], hash=64), note?:tokens(hash=16), flag?:bool, v?:array(2)");

  private static List<InputRecord> records(int n, long seed) {
    Random random = new Random(seed);
    List<InputRecord> records = new ArrayList<>();
    String[] airports = {"DTW", "LAS", "SFO", "OAK", "HNL", "JFK"};
    for (int i = 0; i < n; i++) {
      records.add(MapRecord.of("distance", random.nextInt(10) == 0 ? null : (Object) (double) random.nextInt(3000),
          "origin", airports[random.nextInt(airports.length)], "dest", airports[random.nextInt(airports.length)],
          "date", String.format("2001/%02d/%02d %02d:%02d", 1 + random.nextInt(12), 1 + random.nextInt(28),
              random.nextInt(24), random.nextInt(60)),
          "note", random.nextBoolean() ? "On time, mostly" : null, "flag", random.nextBoolean(),
          "v", List.of(random.nextDouble(), random.nextDouble()),
          "label", random.nextInt(3) == 0 ? "late" : random.nextBoolean() ? 1L : true,
          "carrier", random.nextBoolean() ? "AA" : null)); // drawn last: the earlier draws stay as they were
    }
    return records;
  }

  private static float[] featurized(FrozenPipeline pipeline, List<InputRecord> records) {
    SparseRows rows = new SparseRows(pipeline.layout(), records.size());
    for (InputRecord record : records) {
      pipeline.featurize(record, rows);
    }
    return rows.toDense();
  }

  @Test
  void theJsonFormRoundTripsToAnEqualPipelineThatFeaturizesIdentically() {
    FeaturePipeline pipeline = new FeaturePipeline(SPEC, LabelSpec.parse("label"), 4);
    SparseRows rows = new SparseRows(pipeline.layout(), 8);
    for (InputRecord record : records(200, 7)) {
      pipeline.learnAndFeaturize(record, rows);
    }
    FrozenPipeline frozen = pipeline.freeze();
    String json = frozen.toJson();
    FrozenPipeline parsed = FrozenPipeline.parse(json);
    assertEquals(frozen, parsed);
    assertEquals(json, parsed.toJson());
    assertEquals(List.of("1", "late", "true"), parsed.classes());
    assertEquals(200, parsed.rowsLearned());
    assertEquals(List.of("DTW", "LAS", "SFO").size(), parsed.vocabulary("origin").size());
    List<InputRecord> unseen = records(50, 8);
    assertArrayEquals(featurized(frozen, unseen), featurized(parsed, unseen));
    assertEquals(pipeline.inputFields(), parsed.inputFields());
    assertTrue(json.contains("\"spec\":\"" + SPEC.text().replace("\"", "\\\"") + "\""), json);
  }

  @Test
  void aFrozenPipelineIgnoresLaterLearningAndThawingResumesFromItsState() {
    FeaturePipeline pipeline = new FeaturePipeline(SPEC, null, 0);
    List<InputRecord> records = records(100, 1);
    records.subList(0, 50).forEach(pipeline::learn);
    FrozenPipeline atFifty = pipeline.freeze();
    float[] before = featurized(atFifty, records);
    FeaturePipeline resumed = atFifty.thaw();
    records.subList(50, 100).forEach(pipeline::learn);
    records.subList(50, 100).forEach(resumed::learn);
    assertArrayEquals(before, featurized(atFifty, records));
    assertEquals(pipeline.freeze(), resumed.freeze());
    assertNotEquals(atFifty, pipeline.freeze());
  }

  @Test
  void aLabelBeyondTheModelsClassesIsABadRecordThatLearnsNothing() {
    FeaturePipeline pipeline = new FeaturePipeline(FeatureSpec.parse("x:numeric"), LabelSpec.parse("y"), 2);
    SparseRows rows = new SparseRows(pipeline.layout(), 4);
    assertEquals(new Label(0, 0), pipeline.learnAndFeaturize(MapRecord.of("x", 1L, "y", "cat"), rows));
    assertEquals(new Label(1, 1), pipeline.learnAndFeaturize(MapRecord.of("x", 2L, "y", "dog"), rows));
    assertEquals(new Label(0, 0), pipeline.learnAndFeaturize(MapRecord.of("x", 3L, "y", "cat"), rows));
    BadRecordException e = assertThrows(BadRecordException.class,
        () -> pipeline.learnAndFeaturize(MapRecord.of("x", 100L, "y", "bird"), rows));
    assertEquals("y", e.field());
    assertEquals("unknown label bird: the model has 2 classes, all taken by [cat, dog]", e.reason());
    assertEquals(3, rows.rows());
    assertEquals(3, pipeline.rowsLearned());
    assertEquals(2, pipeline.freeze().mean("x"), 1e-12);
    BadRecordException unseen = assertThrows(BadRecordException.class,
        () -> pipeline.freeze().label(MapRecord.of("y", "bird")));
    assertEquals("unknown label bird: not among the classes [cat, dog]", unseen.reason());
    assertEquals("dog", pipeline.freeze().className(1));
  }

  @Test
  void aThresholdLabelHasTheFixedClassesFalseAndTrue() {
    FeaturePipeline pipeline = new FeaturePipeline(FeatureSpec.parse("x:numeric"), LabelSpec.parse("delay>15"), 2);
    assertEquals(List.of("false", "true"), pipeline.classes());
    assertEquals(new Label(1, 1), pipeline.label(MapRecord.of("delay", 16L)));
    assertEquals(new Label(0, 0), pipeline.label(MapRecord.of("delay", 15L)));
    assertEquals(new Label(0, 0), pipeline.label(MapRecord.of("delay", "-3")));
    assertThrows(IllegalArgumentException.class,
        () -> new FeaturePipeline(FeatureSpec.parse("x:numeric"), LabelSpec.parse("delay>15"), 3));
    FrozenPipeline parsed = FrozenPipeline.parse(pipeline.freeze().toJson());
    assertEquals(List.of("false", "true"), parsed.classes());
    assertEquals(new Label(1, 1), parsed.label(MapRecord.of("delay", 16.5)));
  }

  @Test
  void regressionReadsANumericTarget() {
    FeaturePipeline pipeline = new FeaturePipeline(FeatureSpec.parse("x:numeric"), LabelSpec.parse("price:numeric"), 1);
    assertEquals(new Label(-1, 9.5), pipeline.label(MapRecord.of("price", 9.5)));
    assertEquals("expected a number, found true",
        assertThrows(BadRecordException.class, () -> pipeline.label(MapRecord.of("price", true))).reason());
  }

  @Test
  void aPipelineJsonWhoseLayoutDisagreesWithItsSpecIsRejected() {
    String json = new FeaturePipeline(SPEC, null, 0).freeze().toJson();
    String tampered = json.replace("\"size\":4", "\"size\":5");
    assertNotEquals(json, tampered);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrozenPipeline.parse(tampered));
    assertTrue(e.getMessage().contains("is not the spec's layout"), e.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FrozenPipeline.parse(json.replace("\"format\":1", "\"format\":2")))
        .getMessage().contains("format 2 is not supported"));
  }

  @Test
  void frozenFeaturizingIsSafeFromManyThreads() throws Exception {
    FeaturePipeline pipeline = new FeaturePipeline(SPEC, null, 0);
    List<InputRecord> records = records(300, 3);
    records.forEach(pipeline::learn);
    FrozenPipeline frozen = pipeline.freeze();
    float[] expected = featurized(frozen, records);
    List<Thread> threads = new ArrayList<>();
    List<float[]> results = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> results.add(featurized(frozen, records)));
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(4, results.size());
    for (float[] result : results) {
      assertTrue(Arrays.equals(expected, result));
    }
  }
}
