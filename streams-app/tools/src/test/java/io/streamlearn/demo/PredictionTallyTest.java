package io.streamlearn.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamlearn.schema.Prediction;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionTallyTest {
  private static Prediction p(String id, long version) {
    return new Prediction(id, 0L, "m", version, 1, List.of(0.1f, 0.9f), 1, 0L, null, null, null, null, null);
  }

  @Test
  void countsDistinctEventsAndDuplicatesForDemoAndOtherIds() {
    PredictionTally tally = new PredictionTally(100);
    for (String id : List.of("e-0", "e-1", "e-2", "e-1", "x", "x", "e-007", "e-7", "e-")) {
      tally.add(p(id, 1), 0);
    }
    assertEquals(9, tally.predictions());
    assertEquals(7, tally.distinct(), "e-0 e-1 e-2 x e-007 e-7 e- are distinct");
    assertEquals(2, tally.duplicates(), "e-1 and x came twice");
  }

  @Test
  void demoIdNumbersAreCanonicalDecimals() {
    assertEquals(42, PredictionTally.demoIdNumber("e-42"));
    assertEquals(0, PredictionTally.demoIdNumber("e-0"));
    assertEquals(-1, PredictionTally.demoIdNumber("e-042"));
    assertEquals(-1, PredictionTally.demoIdNumber("e-4x"));
    assertEquals(-1, PredictionTally.demoIdNumber("b-1"));
    assertEquals(-1, PredictionTally.demoIdNumber("e-12345678901"));
  }

  @Test
  void versionsGoingBackAreCountedPerPartition() {
    PredictionTally tally = new PredictionTally(100);
    tally.add(p("e-1", 5), 0);
    tally.add(p("e-2", 3), 1);
    tally.add(p("e-3", 4), 0);
    assertEquals(1, tally.versionsGoingBack());
  }
}
