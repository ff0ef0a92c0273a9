package io.streamlearn.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.data.Flights;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code demo --dataset flights}: the Flights records replayed as raw JSON through the whole loop
 * (the trainer and inference reading them through the feature pipeline), a prediction for every
 * record, exactly once. Skipped, saying so, where {@code ./streamlearn fetch-data} has not put the
 * file.
 */
class DemoFlightsIT {
  @Test
  void flightsAreReplayedAsRawJsonAndEveryRecordIsPredictedOnce() throws Exception {
    Path file = Flights.defaultPath(System.getenv());
    Assumptions.assumeTrue(Files.isRegularFile(file), "no Flights data at " + file + " (./streamlearn fetch-data,"
        + "); skipping");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Demo demo = new Demo(DemoConfig.fromArgs(List.of("--dataset", "flights", "--duration", "20",
        "--http-port", "0", "--kafka-port", "0", "--rate", "1000", "--progress-interval-ms", "2000"), Map.of()), out);
    Map<String, Object> summary = demo.run();
    String output = bytes.toString(StandardCharsets.UTF_8);
    long produced = (Long) summary.get("eventsProduced");
    assertTrue(produced > 5_000, "records replayed: " + summary + "\n" + output);
    assertEquals(produced, summary.get("distinctPredictedEvents"), "a prediction for every record: " + summary);
    assertEquals(0L, summary.get("duplicatePredictions"));
    assertEquals(0L, summary.get("deadLetters"), "the file's records are all good");
    assertEquals("flights", summary.get("dataset"));
    assertTrue((Long) summary.get("versionsPublished") >= 1, "versions: " + summary);
    double accuracy = (Double) summary.get("prequentialAccuracy");
    assertTrue(accuracy > 0.7, "prequential accuracy of the served predictions (base rate 0.78): " + accuracy);
    assertTrue(output.contains("Flights replay as raw JSON"), output);
  }
}
