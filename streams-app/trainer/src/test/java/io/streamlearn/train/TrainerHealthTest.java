package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.OpsServer;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The trainer's readiness rule, on a clock the test moves, and its health before it runs. */
class TrainerHealthTest {
  private static final long MAX_AGE_MS = 60_000;

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
  private final TrainerHealth health = new TrainerHealth(clock, MAX_AGE_MS);

  @Test
  void aTrainerIsNotReadyBeforeItsPartitionsAreAssigned() {
    assertEquals(Optional.of("partitions not assigned yet"), health.readiness());
    assertTrue(Double.isNaN(health.checkpointAgeSeconds()), "no age before the start");
    health.assigned();
    assertEquals(Optional.empty(), health.readiness());
  }

  @Test
  void anOldCheckpointMakesTheTrainerUnreadyOnlyWhileRecordsWait() {
    health.assigned();
    health.taken(1_234);
    health.committing(1_234);
    health.committed();
    clock.advanceMs(95_000);
    assertEquals(Optional.empty(), health.readiness(), "an idle input with everything committed is ready");
    assertEquals(95.0, health.checkpointAgeSeconds(), 1e-9);
    health.taken(1_234 + 1_234);
    assertEquals(Optional.of("last checkpoint committed 95 s ago (max 60 s) while 1,234 records wait"),
        health.readiness());
    health.committing(2 * 1_234);
    health.committed();
    assertEquals(Optional.empty(), health.readiness(), "a fresh checkpoint");
    assertEquals(0.0, health.checkpointAgeSeconds(), 1e-9);
  }

  @Test
  void aStartedTrainerHasTheMaximumAgeForItsFirstCheckpoint() {
    health.assigned();
    health.taken(10);
    clock.advanceMs(MAX_AGE_MS);
    assertEquals(Optional.empty(), health.readiness(), "exactly the maximum age is still fine");
    clock.advanceMs(1);
    assertEquals(Optional.of("no checkpoint committed since the trainer started 60 s ago (max 60 s) while 10"
        + " records wait"), health.readiness());
  }

  @Test
  void aRollbackLeavesTheReplayToTheLagNotToTheUncommittedCount() {
    health.assigned();
    health.taken(500);
    health.rolledBack(500);
    clock.advanceMs(MAX_AGE_MS + 1);
    assertEquals(Optional.empty(), health.readiness(), "nothing taken since the rollback, no poller lag");
  }

  @Test
  void theRuleNamesShortMaximumsInTenthsOfASecond() {
    assertEquals(Optional.of("last checkpoint committed 2.5 s ago (max 1.5 s) while 3 records wait"),
        TrainerHealth.readiness(true, true, 2_500, 1_500, 3));
    assertEquals(Optional.empty(), TrainerHealth.readiness(true, true, 2_500, 1_500, 0));
  }

  @Test
  void theDefaultMaximumAgeIsThirtyCheckpointIntervalsAndAtLeastAMinute() {
    assertEquals(60_000, TrainerSettings.Schedule.defaultCheckpointMaxAgeMs(2_000));
    assertEquals(300_000, TrainerSettings.Schedule.defaultCheckpointMaxAgeMs(10_000));
    assertEquals(60_000, new TrainerSettings.Schedule(1, 2_000, 1, 1, 0, 1).checkpointMaxAgeMs());
    assertEquals(5_000, new TrainerSettings.Schedule(1, 2_000, 1, 1, 0, 1, 5_000).checkpointMaxAgeMs());
    TrainerSettings configured = TrainerSettings.from(new TrainerConfig(Map.of(CommonKeys.BOOTSTRAP_SERVERS,
        "localhost:1", TrainerConfig.CHECKPOINT_EVERY_MS, "4000")));
    assertEquals(120_000, configured.schedule().checkpointMaxAgeMs(), "derived from --checkpoint-every-ms");
    TrainerSettings explicit = TrainerSettings.from(new TrainerConfig(Map.of(CommonKeys.BOOTSTRAP_SERVERS,
        "localhost:1", TrainerConfig.HEALTH_CHECKPOINT_MAX_AGE_MS, "90000")));
    assertEquals(90_000, explicit.schedule().checkpointMaxAgeMs());
  }

  @Test
  void aTrainerThatHasNotRunAnswersNotReadyButAlive() {
    try (OpsServer ops = new OpsServer("trainer")) {
      Trainer trainer = new Trainer(TrainerSettings.from(new TrainerConfig(Map.of(CommonKeys.BOOTSTRAP_SERVERS,
          "localhost:1", CommonKeys.MODEL_NAME, "m1"))), clock, ops);
      assertEquals(Optional.of("partitions not assigned yet"), trainer.readiness());
      assertEquals(Optional.empty(), trainer.liveness());
      HttpResponse ready = ops.health().answer();
      assertEquals(503, ready.status());
      assertEquals(Map.of("trainer:m1", "partitions not assigned yet"), ((Map<?, ?>) ready.json()).get("reasons"),
          "the reason, under the trainer's component: " + ready.json());
      assertEquals(200, ops.health().liveAnswer().status());
    }
  }
}
