package io.streamlearn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canary's share of keys: deterministic, close to the share, and not the trainer's hold-out. */
class CanarySplitTest {
  private static final int KEYS = 10_000;

  private static List<String> routed(CanarySplit split) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      if (split.routes("ev-" + i)) {
        out.add("ev-" + i);
      }
    }
    return out;
  }

  @Test
  void theSplitIsAPureFunctionOfTheKeyAndCloseToTheShare() {
    CanarySplit split = new CanarySplit("canary", 0.1);
    List<String> first = routed(split);
    assertEquals(first, routed(new CanarySplit("canary", 0.1)), "another instance routes the same keys");
    // binomial(10,000, 0.1): sd 30; 4 sd either side
    assertTrue(Math.abs(first.size() - 1_000) <= 120, "canary keys of 10,000 at share 0.1: " + first.size());
  }

  @Test
  void aLargerShareKeepsEveryKeyOfASmallerOne() {
    List<String> tenth = routed(new CanarySplit("canary", 0.1));
    List<String> quarter = routed(new CanarySplit("canary", 0.25));
    assertTrue(quarter.containsAll(tenth), "raising the share moves keys only from the served alias to the canary");
    assertTrue(Math.abs(quarter.size() - 2_500) <= 4 * Math.sqrt(KEYS * 0.25 * 0.75), "share 0.25: " + quarter.size());
  }

  @Test
  void sharesZeroAndOneRouteNoneAndEveryKey() {
    assertTrue(routed(new CanarySplit("canary", 0)).isEmpty());
    assertEquals(KEYS, routed(new CanarySplit("canary", 1)).size());
  }

  @Test
  void theCanaryGetsItsShareOfTheTrainersHeldOutEventsNotAllOfThem() {
    // The trainer's hold-out rule (HoldOut.isHeldOut, in a module inference does not depend on):
    // FNV-1a 64 of the id's UTF-8 bytes, bucketed into a million, the lowest 10% held out.
    int heldOut = 0;
    int heldOutOnCanary = 0;
    CanarySplit split = new CanarySplit("canary", 0.1);
    for (int i = 0; i < KEYS; i++) {
      String id = "ev-" + i;
      long h = 0xcbf29ce484222325L;
      for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
        h ^= b & 0xff;
        h *= 0x100000001b3L;
      }
      if (Long.remainderUnsigned(h, 1_000_000) < 100_000) {
        heldOut++;
        heldOutOnCanary += split.routes(id) ? 1 : 0;
      }
    }
    // about 1,000 held out, a tenth of them on the canary: binomial sd about 9.5; 4 sd either side
    double expected = heldOut * 0.1;
    assertTrue(Math.abs(heldOutOnCanary - expected) <= 4 * Math.sqrt(heldOut * 0.1 * 0.9),
        heldOutOnCanary + " of " + heldOut + " held-out events on the canary, expected about " + expected);
  }

  @Test
  void aShareOutsideZeroToOneOrABlankAliasIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CanarySplit("canary", 1.5));
    assertThrows(IllegalArgumentException.class, () -> new CanarySplit("canary", Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new CanarySplit(" ", 0.1));
  }
}
