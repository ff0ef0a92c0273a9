package io.streamlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FlightsLapTest {

  private static final String FLIGHT =
      "{\"date\": \"2001/01/01 00:47\", \"delay\": 66, \"distance\": 1750, \"origin\": \"DTW\", \"destination\": \"LAS\"}";

  @Test
  void theFirstLapIsReplayedAsItIsAndLaterLapsMoveOnByWholeYearsOfWeeks() {
    byte[] record = FLIGHT.getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(record, Flights.onLap(record, 0), "lap 0: the file's bytes");
    // 2001-01-01 is a Monday; 364 days later, 2001-12-31, is one too, and 728 days later 2002-12-30.
    assertEquals(FLIGHT.replace("2001/01/01 00:47", "2001/12/31 00:47"),
        new String(Flights.onLap(record, 1), StandardCharsets.UTF_8));
    assertEquals(FLIGHT.replace("2001/01/01 00:47", "2002/12/30 00:47"),
        new String(Flights.onLap(record, 2), StandardCharsets.UTF_8));
  }

  @Test
  void aRecordWithoutAReadableDateIsLeftAsItIs() {
    byte[] noDate = "{\"delay\": 3}".getBytes(StandardCharsets.UTF_8);
    byte[] badDate = "{\"date\": \"yesterday\"}".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(noDate, Flights.onLap(noDate, 3));
    assertArrayEquals(badDate, Flights.onLap(badDate, 3));
  }
}
