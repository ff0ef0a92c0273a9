package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When checkpoints and versions are due, on a clock the test moves. */
class TrainingScheduleTest {
  /** A clock at 0 ns that moves only when told. */
  private static final class TestClock implements TrainerClock {
    long nanos;

    void advanceMs(long ms) {
      nanos += ms * 1_000_000;
    }

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public Instant now() {
      return Instant.EPOCH.plusNanos(nanos);
    }
  }

  private final TestClock clock = new TestClock();

  /** Checkpoint every 3 batches or 2 s; publish every 5 batches or 10 s, 1 s apart at least; 2 batches after a drift. */
  private final TrainingSchedule schedule =
      new TrainingSchedule(new TrainerSettings.Schedule(3, 2_000, 5, 10_000, 1_000, 2), clock);

  @Test
  void aCheckpointIsDueAfterItsBatchesOrItsTimeWhenSomethingWasConsumed() {
    schedule.batchTrained();
    schedule.batchTrained();
    assertFalse(schedule.checkpointDue(true, 0), "2 batches of 3");
    schedule.batchTrained();
    assertTrue(schedule.checkpointDue(true, 0), "3 batches");
    schedule.checkpointed();
    clock.advanceMs(1_999);
    assertFalse(schedule.checkpointDue(true, 0), "1999 ms of 2000");
    clock.advanceMs(1);
    assertTrue(schedule.checkpointDue(true, 0), "2000 ms");
    assertFalse(schedule.checkpointDue(false, 0), "nothing consumed since the last one");
  }

  @Test
  void aVersionWaitsOutTheMinimumIntervalWhateverElseIsDue() {
    for (int i = 0; i < 5; i++) {
      schedule.batchTrained();
    }
    assertFalse(schedule.publishDue(0), "5 batches, but 0 ms since the start");
    clock.advanceMs(1_000);
    assertTrue(schedule.publishDue(0), "5 batches and the interval passed");
    schedule.published();
    schedule.batchTrained();
    clock.advanceMs(9_999);
    assertFalse(schedule.publishDue(0), "1 batch, 9999 ms");
    clock.advanceMs(1);
    assertTrue(schedule.publishDue(0), "1 batch, 10 s");
  }

  @Test
  void aDriftBringsTheNextVersionForwardPastTheMinimumInterval() {
    clock.advanceMs(5_000);
    schedule.batchTrained();
    schedule.published();
    schedule.drifted();
    schedule.batchTrained();
    assertFalse(schedule.publishDue(0), "1 batch after the drift");
    schedule.batchTrained();
    assertTrue(schedule.publishDue(0), "2 batches after the drift, 0 ms after the last version");
    schedule.published();
    schedule.batchTrained();
    schedule.batchTrained();
    assertFalse(schedule.publishDue(0), "the drift was answered; the usual pace again");
  }

  @Test
  void driftsThatKeepComingSkipTheMinimumIntervalOnlyOncePerInterval() {
    clock.advanceMs(5_000);
    schedule.batchTrained();
    schedule.published();
    schedule.drifted();
    schedule.batchTrained();
    schedule.batchTrained();
    assertTrue(schedule.publishDue(0), "the first drift's version comes at once");
    schedule.published();
    clock.advanceMs(100);
    schedule.drifted();
    schedule.batchTrained();
    schedule.batchTrained();
    assertFalse(schedule.publishDue(0), "a second drift 100 ms later waits out the minimum interval");
    clock.advanceMs(900);
    assertTrue(schedule.publishDue(0), "and comes once the interval has passed");
    schedule.published();
    clock.advanceMs(100);
    schedule.drifted();
    schedule.batchTrained();
    schedule.batchTrained();
    assertTrue(schedule.publishDue(0), "100 ms after a version, but over an interval after the last skip: skips again");
  }

  @Test
  void nothingIsDueWithNothingNewToPublish() {
    clock.advanceMs(60_000);
    assertFalse(schedule.publishDue(0), "no batch since the last version");
    assertTrue(schedule.publishDue(3), "a short batch waiting");
  }
}
