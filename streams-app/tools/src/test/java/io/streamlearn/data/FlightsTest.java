package io.streamlearn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.JsonRecordDecoder;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.tensor.SparseRows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlightsTest {

  @Test
  void theDataLivesUnderStreamlearnDataOrTheUsersCache() {
    assertEquals(Path.of("/data/vega-datasets-3.2.1/package/data/flights-20k.json"),
        Flights.defaultPath(Map.of("STREAMLEARN_DATA", "/data")));
    assertEquals(Path.of(System.getProperty("user.home"), ".cache/streamlearn/vega-datasets-3.2.1/package/data/flights-20k.json"),
        Flights.defaultPath(Map.of()));
  }

  @Test
  void anArrayIsSplitIntoTheBytesOfEachObject() throws IOException {
    byte[] array = "[{\"a\": [1, {\"b\": \"}\"}]} ,\n{\"c\":2}]".getBytes(StandardCharsets.UTF_8);
    List<byte[]> records = Flights.split(array, "test");
    assertEquals(2, records.size());
    assertEquals("{\"a\": [1, {\"b\": \"}\"}]}", new String(records.get(0), StandardCharsets.UTF_8));
    assertEquals("{\"c\":2}", new String(records.get(1), StandardCharsets.UTF_8));
    assertThrows(IllegalArgumentException.class, () -> Flights.split("{}".getBytes(StandardCharsets.UTF_8), "test"));
    assertThrows(IllegalArgumentException.class, () -> Flights.split("[{}, 3]".getBytes(StandardCharsets.UTF_8), "test"));
  }

  @Test
  void aMissingFileIsNamedWithHowToGetIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Flights.records(Path.of("/nonexistent/flights-20k.json")));
    assertTrue(e.getMessage().contains("/nonexistent/flights-20k.json") && e.getMessage().contains("./streamlearn fetch-data"), e.getMessage());
  }

  @Test
  void theTwentyThousandFlightsFeaturizeWithoutABadRecordAtTheKnownBaseRate() {
    Path file = Flights.defaultPath(System.getenv());
    assumeTrue(file.toFile().isFile(), FlightsData.missing(System.getenv()));
    List<byte[]> records = Flights.records(file);
    assertEquals(20_000, records.size());
    assertEquals("{\"date\":\"2001/01/01 00:47\",\"delay\":66,\"distance\":1750,\"origin\":\"DTW\",\"destination\":\"LAS\"}",
        new String(records.get(0), StandardCharsets.UTF_8));
    FeatureSpec spec = FeatureSpec.parse(Flights.SPEC);
    LabelSpec label = LabelSpec.parse(Flights.LABEL);
    JsonRecordDecoder decoder = JsonRecordDecoder.forPipeline(spec, label, null);
    FeaturePipeline pipeline = new FeaturePipeline(spec, label, 2);
    SparseRows rows = new SparseRows(pipeline.layout(), 1024);
    long delayed = 0;
    for (byte[] record : records) {
      delayed += pipeline.learnAndFeaturize(decoder.decode(record), rows).classIndex();
    }
    assertEquals(4349, delayed); // base rate 0.21745
    assertEquals(20_000, rows.rows());
  }
}
