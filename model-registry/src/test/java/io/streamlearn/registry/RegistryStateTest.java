package io.streamlearn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** History, rollback targets and the promotion policy on a materialized registry. */
class RegistryStateTest {
  private final RegistryCodec codec = new RegistryCodec();
  private final RegistryState state = new RegistryState(codec);
  private long clock = 1_000;

  private void publish(ModelVersion v) {
    codec.versionRecords(v, RegistryCodec.DEFAULT_MAX_RECORD_BYTES).forEach(kv -> state.apply(kv.key(), kv.value()));
  }

  private void move(long version, long previous, AliasChange.Action action) {
    AliasMove m = new AliasMove("m", "live", version, Instant.ofEpochMilli(clock++), "t", "r", previous);
    codec.moveRecords(m, action).forEach(kv -> state.apply(kv.key(), kv.value()));
  }

  private void foreignMove(long version, long previous) {
    AliasMove m = new AliasMove("m", "live", version, Instant.ofEpochMilli(clock++), "trainer", "gate", previous);
    state.apply(m.key(), codec.encode(m));
  }

  @Test
  void rollbackWalksBackThroughPromotionsAndSkipsWhatWasRolledBack() {
    for (int v = 1; v <= 4; v++) {
      publish(Samples.dense("m", v, 3, 2, v));
    }
    move(1, 0, AliasChange.Action.MOVE);
    move(2, 1, AliasChange.Action.MOVE);
    move(3, 2, AliasChange.Action.MOVE);
    assertEquals(OptionalLong.of(2), state.rollbackTarget("m", "live"));
    move(2, 3, AliasChange.Action.ROLLBACK);
    assertEquals(OptionalLong.of(1), state.rollbackTarget("m", "live"), "a second rollback goes further back");
    move(1, 2, AliasChange.Action.ROLLBACK);
    assertEquals(OptionalLong.empty(), state.rollbackTarget("m", "live"), "nothing before version 1");
    move(4, 1, AliasChange.Action.MOVE);
    assertEquals(OptionalLong.of(1), state.rollbackTarget("m", "live"));
    assertEquals(List.of(1L, 2L, 3L, 2L, 1L, 4L),
        state.history("m", "live").stream().map(AliasChange::version).toList());
    assertTrue(state.history("m").stream().allMatch(AliasChange::recorded));
    assertEquals(4, state.highestEverAliased("m", "live"));
  }

  @Test
  void movesWithoutAChangeRecordShowInTheHistoryAsUnrecorded() {
    publish(Samples.dense("m", 1, 3, 2, 0));
    publish(Samples.dense("m", 2, 3, 2, 0));
    foreignMove(1, 0);
    foreignMove(2, 1);
    List<AliasChange> history = state.history("m", "live");
    assertEquals(List.of(1L, 2L), history.stream().map(AliasChange::version).toList());
    assertFalse(history.get(1).recorded(), "known only from the alias value");
    assertEquals(2, state.unrecordedChanges().size());
    assertEquals(OptionalLong.of(1), state.rollbackTarget("m", "live"));
    // once recorded under its own key, the same change is not duplicated
    AliasChange c = history.get(1).asRecorded();
    state.apply(c.key(), codec.encode(c));
    assertEquals(2, state.history("m", "live").size());
    assertTrue(state.history("m", "live").get(1).recorded());
  }

  @Test
  void rollbackSkipsDeletedVersionsAndFallsBackOnThePreviousVersionField() {
    publish(Samples.dense("m", 1, 3, 2, 0));
    publish(Samples.dense("m", 2, 3, 2, 0));
    publish(Samples.dense("m", 3, 3, 2, 0));
    move(1, 0, AliasChange.Action.MOVE);
    move(2, 1, AliasChange.Action.MOVE);
    move(3, 2, AliasChange.Action.MOVE);
    state.apply("m:2", null); // version 2 deleted
    assertEquals(OptionalLong.of(1), state.rollbackTarget("m", "live"));

    RegistryState compacted = new RegistryState(codec); // only the alias survived compaction
    for (int v = 1; v <= 3; v++) {
      codec.versionRecords(Samples.dense("m", v, 3, 2, 0), 1_000_000).forEach(kv -> compacted.apply(kv.key(), kv.value()));
    }
    AliasMove m = new AliasMove("m", "live", 3, Instant.ofEpochMilli(9), "trainer", "", 2);
    compacted.apply(m.key(), codec.encode(m));
    assertEquals(OptionalLong.of(2), compacted.rollbackTarget("m", "live"));
  }

  @Test
  void deletingAnAliasKeepsItsHistory() {
    publish(Samples.dense("m", 1, 3, 2, 0));
    move(1, 0, AliasChange.Action.MOVE);
    codec.deletionRecords(new AliasChange("m", "live", AliasChange.Action.DELETE, 1, 1,
        Instant.ofEpochMilli(clock++), "ops", "retired", true)).forEach(kv -> state.apply(kv.key(), kv.value()));
    assertTrue(state.aliases("m").isEmpty());
    assertEquals(List.of(AliasChange.Action.MOVE, AliasChange.Action.DELETE),
        state.history("m").stream().map(AliasChange::action).toList());
  }

  @Test
  void policyPromotesANewerVersionThatBeatsLiveByTheMargin() {
    PromotionPolicy policy = new PromotionPolicy("holdoutAccuracy", 0.02, true, "live");
    publish(Samples.withMetrics(Samples.dense("m", 1, 3, 2, 0), Map.of("holdoutAccuracy", 0.80)));
    assertEquals(1, policy.decide(state, "m").orElseThrow().version(), "no live yet: the first candidate");
    move(1, 0, AliasChange.Action.MOVE);
    publish(Samples.withMetrics(Samples.dense("m", 2, 3, 2, 0), Map.of("holdoutAccuracy", 0.81)));
    assertTrue(policy.decide(state, "m").isEmpty(), "0.81 does not beat 0.80 by 0.02");
    publish(Samples.withMetrics(Samples.dense("m", 3, 3, 2, 0), Map.of("holdoutAccuracy", 0.85)));
    PromotionPolicy.Decision d = policy.decide(state, "m").orElseThrow();
    assertEquals(3, d.version());
    assertTrue(d.reason().contains("0.8500") && d.reason().contains("0.8000"), d.reason());
    move(3, 1, AliasChange.Action.MOVE);
    move(1, 3, AliasChange.Action.ROLLBACK);
    assertTrue(policy.decide(state, "m").isEmpty(), "a rolled-back version is not promoted again");
    publish(Samples.withMetrics(Samples.dense("m", 4, 3, 2, 0), Map.of("prequentialAccuracy", 0.99)));
    assertTrue(policy.decide(state, "m").isEmpty(), "a version without the metric is no candidate");

    PromotionPolicy byLoss = new PromotionPolicy("holdoutLoss", 0.0, false, "live");
    publish(Samples.withMetrics(Samples.dense("m", 5, 3, 2, 0), Map.of("holdoutLoss", 0.3)));
    assertEquals(5, byLoss.decide(state, "m").orElseThrow().version(), "live (1) has no holdoutLoss");
    assertFalse(PromotionPolicy.higherIsBetter("holdoutLoss"));
    assertTrue(PromotionPolicy.higherIsBetter("holdoutAccuracy"));
  }
}
