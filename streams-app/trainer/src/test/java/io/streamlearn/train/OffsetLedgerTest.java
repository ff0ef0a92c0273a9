package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.registry.OffsetRange;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The ledger's group operations: a member's partitions come and go with the group's assignment,
 * each contribution starts the next range, and a rollback reads from the last one again.
 */
class OffsetLedgerTest {
  private static final TopicPartition P0 = new TopicPartition("labeled", 0);
  private static final TopicPartition P1 = new TopicPartition("labeled", 1);
  private static final TopicPartition P2 = new TopicPartition("labeled", 2);

  private static Batch batchOf(TopicPartition tp, long... offsets) {
    Batch b = new Batch(offsets.length, 1, 1);
    for (long offset : offsets) {
      b.add(new float[] {0f}, 0f, tp, offset);
    }
    return b;
  }

  @Test
  void anAssignedPartitionStartsItsRangeAtItsCommittedOffset() {
    OffsetLedger ledger = new OffsetLedger();
    ledger.assign(P0, 100);
    ledger.assign(P1, 7);
    assertEquals(Map.of(P0, 100L, P1, 7L), ledger.positions());
    assertEquals(List.of(), ledger.lineage(), "nothing consumed yet");
    ledger.advance(P0, 164);
    assertEquals(List.of(new OffsetRange("labeled", 0, 100, 164)), ledger.lineage());
    assertEquals(Map.of(P0, new OffsetAndMetadata(164), P1, new OffsetAndMetadata(7)), ledger.consumed());
    assertEquals(2, ledger.partitionCount("labeled"));
  }

  @Test
  void assigningAPartitionAgainForgetsWhatTheLedgerKnewOfIt() {
    OffsetLedger ledger = new OffsetLedger();
    ledger.assign(P0, 0);
    ledger.advance(P0, 50);
    ledger.sampleRate(P0, 0.5);
    ledger.advance(P0, 80);
    ledger.skipped(P0, 10);
    ledger.poison(batchOf(P0, 60, 61));
    assertTrue(ledger.isPoisoned(P0, 60));

    ledger.assign(P0, 200); // the group gave it back after another member committed up to 200
    assertEquals(Map.of(P0, 200L), ledger.positions());
    assertEquals(List.of(), ledger.lineage());
    assertFalse(ledger.isPoisoned(P0, 60), "another member dead-lettered or trained those since");
    ledger.advance(P0, 210);
    assertEquals(List.of(new OffsetRange("labeled", 0, 200, 210)), ledger.lineage(), "at the full rate again");
  }

  @Test
  void aRemovedPartitionIsNeitherCommittedNorInTheLineage() {
    OffsetLedger ledger = new OffsetLedger();
    ledger.assign(P0, 0);
    ledger.assign(P1, 0);
    ledger.assign(P2, 0);
    ledger.advance(P0, 10);
    ledger.advance(P1, 20);
    ledger.advance(P2, 30);
    ledger.poison(batchOf(P1, 15));

    ledger.remove(Set.of(P1, P2));
    assertEquals(Map.of(P0, 10L), ledger.positions());
    assertEquals(Map.of(P0, new OffsetAndMetadata(10)), ledger.consumed());
    assertEquals(List.of(new OffsetRange("labeled", 0, 0, 10)), ledger.lineage());
    assertFalse(ledger.isPoisoned(P1, 15));
    assertTrue(ledger.poisoned().isEmpty(), ledger.poisoned().toString());
    assertEquals(1, ledger.partitionCount("labeled"));
    assertEquals(1, ledger.progress().size());
    ledger.remove(Set.of(P1)); // again: nothing to forget
    assertEquals(Map.of(P0, 10L), ledger.positions());
  }

  @Test
  void positionsAreACopy() {
    OffsetLedger ledger = new OffsetLedger();
    ledger.assign(P0, 5);
    Map<TopicPartition, Long> positions = ledger.positions();
    positions.put(P0, 999L);
    positions.put(P1, 1L);
    assertEquals(Map.of(P0, 5L), ledger.positions());
  }

  @Test
  void aRollbackRewindsEveryPartitionToWhereItsLastContributionEnded() {
    OffsetLedger ledger = new OffsetLedger();
    ledger.assign(P0, 100);
    ledger.assign(P1, 0);
    ledger.advance(P0, 150);
    ledger.advance(P1, 40);
    ledger.versionPublished(); // a member's contribution committed: the next ranges start here
    ledger.advance(P0, 180);
    ledger.sampleRate(P1, 0.25);
    ledger.advance(P1, 90);
    ledger.skipped(P1, 30);
    assertEquals(List.of(new OffsetRange("labeled", 0, 150, 180), new OffsetRange("labeled", 1, 40, 90, 0.25, 30)),
        ledger.lineage());

    Map<TopicPartition, Long> seek = ledger.rewindToRangeStart();
    assertEquals(Map.of(P0, 150L, P1, 40L), seek);
    assertEquals(seek, ledger.positions());
    assertEquals(List.of(), ledger.lineage(), "what was read since is read again");
    assertEquals(Map.of(P0, new OffsetAndMetadata(150), P1, new OffsetAndMetadata(40)), ledger.consumed());

    ledger.advance(P1, 60);
    assertEquals(List.of(new OffsetRange("labeled", 1, 40, 60)), ledger.lineage(),
        "the sampled range is gone; the replay starts at the full rate");
  }

  @Test
  void aRollbackBeforeAnyContributionRewindsToTheAssignment() {
    OffsetLedger ledger = new OffsetLedger();
    ledger.assign(P2, 33);
    ledger.advance(P2, 70);
    assertEquals(Map.of(P2, 33L), ledger.rewindToRangeStart());
  }
}
