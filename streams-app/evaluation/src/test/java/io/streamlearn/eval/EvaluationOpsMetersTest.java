package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamlearn.schema.Evaluation;
import io.streamlearn.schema.LabelSource;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The evaluation's meters, and the by-alias key the rollback branch re-keys with. */
class EvaluationOpsMetersTest {
  private static Evaluation evaluation(long version, boolean leaked) {
    return Evaluation.newBuilder().setId("e").setModel("m").setModelVersion(version).setAlias("live")
        .setPredictedClass(1).setScores(List.of(0.4f, 0.6f)).setLabel(1).setLabelSource(LabelSource.PREDICTION)
        .setCorrect(true).setLoss(0.5).setLeaked(leaked).setEventTime(0L).setEvaluatedAt(Instant.EPOCH)
        .build();
  }

  @Test
  void evaluationsAreCountedByVersionAliasAndLeakAndTheAccuracyGaugeFollowsTheSums() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EvaluationOpsMeters meters = new EvaluationOpsMeters(registry, "m", "live");
    assertEquals(0.0, registry.get("streamlearn.rollbacks").tags("model", "m", "alias", "live").counter().count(),
        "the served alias's rollback counter exists from the start");
    meters.evaluated(evaluation(3, false), 1.0);
    meters.evaluated(evaluation(3, false), 0.5);
    meters.evaluated(evaluation(3, true), 0.5);
    meters.rolledBack("m", "live", 3);
    assertEquals(2.0, registry.get("streamlearn.evaluations").tags("version", "3", "leaked", "false").counter()
        .count());
    assertEquals(1.0, registry.get("streamlearn.evaluations").tags("version", "3", "leaked", "true").counter()
        .count());
    assertEquals(0.5, registry.get("streamlearn.served.accuracy").tags("version", "3", "alias", "live").gauge()
        .value());
    assertEquals(1.0, registry.get("streamlearn.rollbacks").tags("alias", "live").counter().count());
  }

  @Test
  void theByAliasKeyDropsTheVersion() {
    assertEquals("m@live", RollbackBranch.aliasKey("m:12@live"));
    assertThrows(IllegalArgumentException.class, () -> RollbackBranch.aliasKey("m@live"));
  }
}
