package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.tensor.NamedTensor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A member's view of the sync topic, fed through a {@link MockConsumer} on a clock the test moves.
 * The reader is assigned both partitions, as {@link GroupSync#takeOver()} assigns it to the
 * publisher (which reads the contributions), without the publisher's transactional producer.
 */
class GroupSyncTest {
  private static final String TOPIC = "sync";
  private static final TopicPartition ROUNDS = new TopicPartition(TOPIC, 0);
  private static final TopicPartition CONTRIBUTIONS = new TopicPartition(TOPIC, 1);
  private static final long TIMEOUT_MS = 5_000;
  private static final List<NamedTensor> WEIGHTS = List.of(new NamedTensor("w", new int[] {2}, new float[] {1f, 2f}));

  /** Wall-clock milliseconds that move only when told. */
  private static final class TestClock implements TrainerClock {
    long ms = 1_764_000_000_000L;

    @Override
    public long nanoTime() {
      return ms * 1_000_000;
    }

    @Override
    public Instant now() {
      return Instant.ofEpochMilli(ms);
    }
  }

  private final TestClock clock = new TestClock();
  private final MockConsumer<String, byte[]> reader = new MockConsumer<>("earliest");
  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
  private final Logger log = (Logger) LoggerFactory.getLogger(GroupSync.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @AfterEach
  void detachTheLog() {
    log.detachAppender(logged);
  }

  private static TrainerSettings settings(String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--model-name", "fraud", "--group-member", "a",
        "--group-sync-topic", TOPIC, "--group-round-timeout-ms", String.valueOf(TIMEOUT_MS), "--batch-size", "32",
        "--publish-every-batches", "10", "--publish-every-ms", "60000", "--publish-min-interval-ms", "1000"));
    args.addAll(List.of(more));
    return TrainerSettings.from(TrainerConfig.fromArgs(args, Map.of()));
  }

  private GroupSync sync(TrainerSettings settings) {
    reader.updateBeginningOffsets(Map.of(ROUNDS, 0L, CONTRIBUTIONS, 0L));
    GroupSync sync = new GroupSync(settings, clock, reader);
    reader.assign(List.of(ROUNDS, CONTRIBUTIONS));
    return sync;
  }

  private GroupSync sync() {
    return sync(settings());
  }

  private void write(TopicPartition tp, String key, byte[] value) {
    long offset = nextOffset.merge(tp, 1L, Long::sum) - 1;
    reader.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key, value));
  }

  private static GroupRecords.Contribution contribution(String model, String member, String id, boolean last) {
    return new GroupRecords.Contribution(model, member, id, 0, 64, WEIGHTS,
        List.of(new OffsetRange("labeled", 0, 0, 64)), 0, last);
  }

  private GroupRecords.Contribution contribute(String member, String id) {
    GroupRecords.Contribution c = contribution("fraud", member, id, false);
    write(CONTRIBUTIONS, c.key(), GroupRecords.encode(c));
    return c;
  }

  private static GroupRecords.Round round(long number, List<String> folded) {
    return new GroupRecords.Round("fraud", number, "a", "dense(2,softmax)", 2, 1, 1_000, 0, 0.01, null, WEIGHTS,
        List.of(), folded, 0);
  }

  private void writeRound(long number, List<String> folded) {
    write(ROUNDS, GroupRecords.roundKey("fraud"), GroupRecords.encode(round(number, folded)));
  }

  @Test
  void contributionsBecomePendingInTheOrderTheyWereWritten() {
    GroupSync sync = sync();
    GroupRecords.Contribution b = contribute("b", "x-1");
    GroupRecords.Contribution c = contribute("c.2-eu", "y-1");
    sync.poll();
    assertEquals(List.of(b.key(), c.key()), List.copyOf(sync.pending().keySet()));
    assertEquals(c, sync.pending().get(c.key()));
    assertNull(sync.latest(), "no round yet");
  }

  @Test
  void aRoundRemovesTheContributionsItFoldedAndIsTakenOnce() {
    GroupSync sync = sync();
    GroupRecords.Contribution b = contribute("b", "x-1");
    GroupRecords.Contribution c = contribute("c", "y-1");
    sync.poll();
    writeRound(1, List.of(b.key()));
    sync.poll();
    assertEquals(List.of(c.key()), List.copyOf(sync.pending().keySet()));
    assertEquals(1, sync.latest().round());
    assertSame(sync.latest(), sync.takeNewRound());
    assertNull(sync.takeNewRound(), "a round is new once");
  }

  @Test
  void aContributionThatTheNewestRoundFoldedIsNotPendingWhenReadAfterIt() {
    GroupSync sync = sync();
    writeRound(3, List.of("fraud/c/b/x-1"));
    sync.poll();
    contribute("b", "x-1"); // read late, e.g. by a publisher catching up before the tombstone
    sync.poll();
    assertTrue(sync.pending().isEmpty(), sync.pending().keySet().toString());
  }

  @Test
  void aTombstoneRemovesAPendingContribution() {
    GroupSync sync = sync();
    GroupRecords.Contribution b = contribute("b", "x-1");
    GroupRecords.Contribution c = contribute("c", "y-1");
    sync.poll();
    write(CONTRIBUTIONS, b.key(), null);
    sync.poll();
    assertEquals(List.of(c.key()), List.copyOf(sync.pending().keySet()));
  }

  @Test
  void anOlderOrEqualRoundNumberIsIgnored() {
    GroupSync sync = sync();
    writeRound(5, List.of());
    sync.poll();
    assertEquals(5, sync.takeNewRound().round());
    GroupRecords.Contribution b = contribute("b", "x-1");
    writeRound(4, List.of(b.key()));
    writeRound(5, List.of(b.key()));
    sync.poll();
    assertEquals(5, sync.latest().round());
    assertTrue(sync.latest().folded().isEmpty(), "still the first round 5 read");
    assertNull(sync.takeNewRound(), "nothing new");
    assertTrue(sync.pending().containsKey(b.key()), "an older round folds nothing");
  }

  @Test
  void anotherModelsRecordsAreIgnored() {
    GroupSync sync = sync();
    GroupRecords.Contribution other = contribution("fraud2", "b", "x-1", false);
    write(CONTRIBUTIONS, other.key(), GroupRecords.encode(other));
    write(ROUNDS, GroupRecords.roundKey("fraud2"), GroupRecords.encode(new GroupRecords.Round("fraud2", 9, "b",
        "dense(2,softmax)", 2, 1, 1_000, 0, 0.01, null, WEIGHTS, List.of(), List.of(), 0)));
    write(ROUNDS, null, new byte[] {1});
    sync.poll();
    assertTrue(sync.pending().isEmpty(), sync.pending().keySet().toString());
    assertNull(sync.latest());
    assertEquals(0, sync.bytesRead, "nothing of this model's was read");
  }

  @Test
  void aCorruptRecordIsSkippedWithAnErrorLogAndWhatFollowsIsRead() {
    logged.start();
    log.addAppender(logged);
    GroupSync sync = sync();
    byte[] garbage = "not a record".getBytes(StandardCharsets.UTF_8);
    write(CONTRIBUTIONS, GroupRecords.contributionKey("fraud", "b", "x-1"), garbage);
    write(ROUNDS, GroupRecords.roundKey("fraud"), garbage);
    GroupRecords.Contribution c = contribute("c", "y-1");
    writeRound(1, List.of());
    sync.poll();
    assertEquals(List.of(c.key()), List.copyOf(sync.pending().keySet()));
    assertEquals(1, sync.latest().round());
    List<String> errors = logged.list.stream().filter(e -> e.getLevel() == Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(2, errors.size(), errors.toString());
    assertTrue(errors.stream().anyMatch(m -> m.contains("fraud/c/b/x-1") && m.contains("is not a contribution")),
        errors.toString());
    assertTrue(errors.stream().anyMatch(m -> m.contains(TOPIC + "-0@0") && m.contains("is not a round")),
        errors.toString());
  }

  @Test
  void noRoundIsDueWithNothingPending() {
    GroupSync sync = sync();
    assertFalse(sync.roundDue(TIMEOUT_MS));
    clock.ms += 10 * TIMEOUT_MS;
    assertFalse(sync.roundDue(TIMEOUT_MS), "the timeout needs something to fold");
  }

  @Test
  void aRoundIsDueOnceEveryMemberHeardWithinTheActiveWindowHasOnePending() {
    GroupSync sync = sync();
    GroupRecords.Contribution b = contribute("b", "x-1");
    contribute("c", "y-1");
    sync.poll();
    assertTrue(sync.roundDue(TIMEOUT_MS), "b and c, the only members heard, both wait");

    writeRound(1, List.of(b.key())); // c's is left for the next round
    sync.poll();
    clock.ms += 100;
    assertFalse(sync.roundDue(TIMEOUT_MS), "c's waits, but b is active and has none pending");
    contribute("b", "x-2");
    sync.poll();
    assertTrue(sync.roundDue(TIMEOUT_MS), "both wait again");
  }

  @Test
  void aMemberNotHeardWithinTheActiveWindowIsNotWaitedFor() {
    GroupSync sync = sync();
    GroupRecords.Contribution b = contribute("b", "x-1");
    GroupRecords.Contribution c = contribute("c", "y-1");
    sync.poll();
    writeRound(1, List.of(b.key(), c.key()));
    sync.poll();
    clock.ms += 1_000;
    contribute("b", "x-2");
    sync.poll();
    assertFalse(sync.roundDue(2_000), "c was heard 1 s ago, within 2 s, and has none pending");
    assertTrue(sync.roundDue(500), "c was last heard 1 s ago, outside 0.5 s");
  }

  @Test
  void aMemberWhoseLastContributionSaidItStopsIsNotWaitedFor() {
    GroupSync sync = sync();
    GroupRecords.Contribution b = contribute("b", "x-1");
    GroupRecords.Contribution d = contribution("fraud", "d", "z-1", true);
    write(CONTRIBUTIONS, d.key(), GroupRecords.encode(d));
    sync.poll();
    writeRound(1, List.of(b.key(), d.key()));
    sync.poll();
    contribute("b", "x-2");
    sync.poll();
    assertTrue(sync.roundDue(TIMEOUT_MS), "d, heard just now, stops");
    GroupRecords.Contribution back = contribution("fraud", "d", "z2-1", false);
    write(CONTRIBUTIONS, back.key(), GroupRecords.encode(back));
    sync.poll();
    writeRound(2, List.of(back.key()));
    sync.poll();
    assertFalse(sync.roundDue(TIMEOUT_MS), "d came back (a new incarnation) and has none pending after round 2");
  }

  @Test
  void aRoundIsDueWhenItsOldestContributionWaitedTheRoundTimeout() {
    GroupSync sync = sync();
    GroupRecords.Contribution b = contribute("b", "x-1");
    contribute("c", "y-1");
    sync.poll();
    writeRound(1, List.of(b.key()));
    sync.poll();
    clock.ms += TIMEOUT_MS - 1;
    assertFalse(sync.roundDue(TIMEOUT_MS * 10), "b is active and has none pending");
    clock.ms += 1;
    assertTrue(sync.roundDue(TIMEOUT_MS * 10), "c's has waited group.round.timeout.ms");
  }

  @Test
  void aVersionIsDueByTimeOrByExamplesButNeverWithinTheMinimumInterval() {
    GroupSync sync = sync(); // publish every 10 batches of 32 (320 examples) or 60 s, at least 1 s apart
    assertFalse(sync.publishDue(10_000), "within publish.min.interval.ms of the start");
    clock.ms += 999;
    assertFalse(sync.publishDue(10_000), "still within it");
    clock.ms += 1;
    assertTrue(sync.publishDue(320), "publish.every.batches x batch.size examples");
    assertFalse(sync.publishDue(319), "fewer, and publish.every.ms not reached");
    assertFalse(sync.publishDue(0), "nothing to publish");
    clock.ms += 59_000;
    assertTrue(sync.publishDue(1), "publish.every.ms since the last version");
    sync.published();
    assertFalse(sync.publishDue(10_000), "a version was just published");
    clock.ms += 1_000;
    assertTrue(sync.publishDue(320));
  }

  @Test
  void aMinimumIntervalOfZeroAllowsAVersionAtOnce() {
    GroupSync sync = sync(settings("--publish-min-interval-ms", "0"));
    assertTrue(sync.publishDue(320));
    assertFalse(sync.publishDue(319));
  }

  @Test
  void aMemberStartsFromTheNewestRoundAndRefusesASyncTopicOfOnePartition() {
    Node node = new Node(0, "localhost", 9092);
    reader.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, null, null)));
    reader.updateBeginningOffsets(Map.of(ROUNDS, 0L, CONTRIBUTIONS, 0L));
    reader.updateEndOffsets(Map.of(ROUNDS, 0L));
    GroupSync one = new GroupSync(settings(), clock, reader);
    IllegalStateException e = assertThrows(IllegalStateException.class, one::start);
    assertTrue(e.getMessage().contains("1 partition(s)") && e.getMessage().contains("--group-sync-topic"),
        e.getMessage());

    reader.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, null, null),
        new PartitionInfo(TOPIC, 1, node, null, null)));
    GroupSync sync = new GroupSync(settings(), clock, reader);
    writeRound(1, List.of());
    writeRound(2, List.of());
    write(ROUNDS, GroupRecords.roundKey("fraud2"), new byte[] {1});
    reader.updateEndOffsets(Map.of(ROUNDS, 3L));
    sync.start();
    assertEquals(2, sync.latest().round());
    assertEquals(3, reader.position(ROUNDS), "read to the end");
    assertEquals(java.util.Set.of(ROUNDS), reader.assignment(), "a member that does not publish reads rounds only");
  }
}
