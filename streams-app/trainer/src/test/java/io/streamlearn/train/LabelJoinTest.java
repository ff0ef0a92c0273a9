package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamlearn.schema.InputEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelJoinTest {
  private static InputEvent features(String id, long time) {
    return new InputEvent(id, time, new float[] {1f, 2f}, null);
  }

  private static InputEvent.Label label(int c) {
    return new InputEvent.ClassIndex(c);
  }

  @Test
  void joinsInEitherOrder() {
    LabelJoin join = new LabelJoin(1_000, 100, 1, 1);
    assertNull(join.offerFeatures(features("a", 10), 0));
    InputEvent a = join.offerLabel("a", 20, label(1), 0);
    assertNotNull(a, "features then label");
    assertEquals(new InputEvent.ClassIndex(1), a.label());
    assertEquals(10, a.eventTime(), "the example keeps its own time");
    assertNull(join.offerLabel("b", 30, label(2), 0));
    InputEvent b = join.offerFeatures(features("b", 25), 0);
    assertNotNull(b, "label then features");
    assertEquals(0, join.pending());
    assertEquals(0, join.dropped());
  }

  @Test
  void anExampleExpiresWhenTheLabelsAreAWindowPastIt() {
    LabelJoin join = new LabelJoin(1_000, 100, 1, 1);
    join.offerFeatures(features("old", 0), 0);
    join.offerFeatures(features("young", 900), 0);
    join.offerLabel("other", 1_500, label(0), 0);
    assertEquals(1, join.dropped(), "'old' expired: the labels' time 1500 is more than 1000 past 0");
    assertNotNull(join.offerLabel("young", 1_600, label(1), 0), "'young' still joins");
    assertNull(join.offerFeatures(features("late", 100), 0), "an example older than the window arrives");
    assertEquals(2, join.dropped(), "it is dropped at once");
  }

  @Test
  void aLaggingPartitionHoldsTheWatermarkBack() {
    LabelJoin join = new LabelJoin(1_000, 100, 1, 2);
    join.offerFeatures(features("x", 0), 0);
    join.offerLabel("p0", 5_000, label(0), 0); // partition 1 has said nothing yet
    assertEquals(0, join.dropped(), "the watermark waits for every partition");
    join.offerLabel("p1", 4_000, label(0), 1);
    assertEquals(1, join.dropped(), "watermark 4000 expires the example of time 0");
  }

  @Test
  void keepsAtMostMaxPendingPerSideDroppingTheOldest() {
    LabelJoin join = new LabelJoin(1_000_000, 2, 1, 1);
    join.offerFeatures(features("1", 3), 0);
    join.offerFeatures(features("2", 1), 0);
    join.offerFeatures(features("3", 2), 0);
    assertEquals(1, join.dropped());
    assertNull(join.offerLabel("2", 5, label(0), 0), "the oldest by event time (2) was dropped");
    assertNotNull(join.offerLabel("1", 5, label(0), 0));
  }

  @Test
  void stateRoundTripsThroughTheCheckpointCodec() {
    LabelJoin join = new LabelJoin(1_000, 100, 2, 1);
    join.offerFeatures(features("f", 10), 1);
    join.offerLabel("l", 20, new InputEvent.Target(2.5f), 0);
    LabelJoin.State state = join.state();
    assertEquals(List.of("f"), state.features().stream().map(InputEvent::id).toList());
    LabelJoin copy = new LabelJoin(1_000, 100, 2, 1);
    copy.restore(state);
    assertEquals(2, copy.pending());
    assertNotNull(copy.offerLabel("f", 30, label(1), 0));
    InputEvent l = copy.offerFeatures(features("l", 15), 0);
    assertEquals(new InputEvent.Target(2.5f), l.label());
  }
}
