package io.streamlearn.train;

import io.streamlearn.registry.OffsetRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the trainer stands in each input partition: the next offset to take (everything before it
 * is in the trainer's state, held out or dead-lettered), where the lineage range of the next
 * version starts, and the offsets of a discarded batch that are to be dead-lettered when they are
 * read again. It is what a checkpoint saves and a version's lineage reports.
 *
 * <p>The next version's lineage of a partition is a run of ranges that tile {@code [rangeStart,
 * nextOffset)}: a new range starts where the sampling rate of {@code --max-lag} changes (only
 * between chunks, so a range is whole chunks), and each counts the records sampling left out. Not
 * thread-safe.
 */
final class OffsetLedger {
  private final Map<TopicPartition, Long> rangeStart = new LinkedHashMap<>();
  private final Map<TopicPartition, Long> nextOffset = new LinkedHashMap<>();
  private final Map<TopicPartition, Set<Long>> poisoned = new HashMap<>();
  /** Per partition, the closed ranges of the next version's lineage and the open one's start, rate and skips. */
  private final Map<TopicPartition, Segments> segments = new HashMap<>();

  /** The lineage ranges of one partition since its {@code rangeStart}; the open one ends at the next offset. */
  private static final class Segments {
    final List<OffsetRange> closed = new ArrayList<>();
    long start;
    double rate = 1.0;
    long skipped;

    Segments(long start) {
      this.start = start;
    }
  }

  private Segments segments(TopicPartition tp) {
    return segments.computeIfAbsent(tp, k -> new Segments(rangeStart.getOrDefault(k, nextOffset.getOrDefault(k, 0L))));
  }

  /**
   * The records of {@code tp} from its next offset on are sampled at {@code rate}: when that is not
   * the open range's rate, the open range closes here (if it holds any record) and a new one opens.
   */
  void sampleRate(TopicPartition tp, double rate) {
    Segments s = segments(tp);
    if (s.rate == rate) {
      return;
    }
    long next = nextOffset.getOrDefault(tp, s.start);
    if (next > s.start) {
      s.closed.add(new OffsetRange(tp.topic(), tp.partition(), s.start, next, s.rate, s.skipped));
    }
    s.start = next;
    s.rate = rate;
    s.skipped = 0;
  }

  /** {@code count} records of {@code tp}'s open range were left out by sampling. */
  void skipped(TopicPartition tp, long count) {
    segments(tp).skipped += count;
  }

  /** The ranges of {@code tp} since its range start, the open one last (if it holds any record). */
  private List<OffsetRange> ranges(TopicPartition tp, long next) {
    Segments s = segments.get(tp);
    if (s == null) {
      long from = rangeStart.getOrDefault(tp, next);
      return next > from ? List.of(new OffsetRange(tp.topic(), tp.partition(), from, next)) : List.of();
    }
    List<OffsetRange> ranges = new ArrayList<>(s.closed);
    if (next > s.start) {
      ranges.add(new OffsetRange(tp.topic(), tp.partition(), s.start, next, s.rate, s.skipped));
    }
    return ranges;
  }

  /** Moves a partition's next offset forward (never back). */
  void advance(TopicPartition tp, long next) {
    nextOffset.merge(tp, next, Math::max);
  }

  void advanceAll(Map<TopicPartition, Long> next) {
    next.forEach(this::advance);
  }

  /**
   * Positions every partition as {@code progress} says (a checkpoint's, or the start positions);
   * returns the offsets to seek to.
   */
  Map<TopicPartition, Long> restore(List<Checkpoint.PartitionProgress> progress) {
    Map<TopicPartition, Long> seek = new LinkedHashMap<>();
    for (Checkpoint.PartitionProgress pp : progress) {
      TopicPartition tp = new TopicPartition(pp.topic(), pp.partition());
      rangeStart.put(tp, pp.rangeStart());
      nextOffset.put(tp, pp.nextOffset());
      Segments s = new Segments(pp.rangeStart());
      if (!pp.ranges().isEmpty()) {
        List<OffsetRange> ranges = pp.ranges();
        OffsetRange open = ranges.get(ranges.size() - 1);
        s.closed.addAll(ranges.subList(0, ranges.size() - 1));
        s.start = open.fromOffset();
        s.rate = open.sampleRate();
        s.skipped = open.skipped();
      }
      segments.put(tp, s);
      seek.put(tp, pp.nextOffset());
    }
    return seek;
  }

  /** Marks a discarded batch's records, which go to the dead-letter topic when read again. */
  void poison(Batch batch) {
    for (int i = 0; i < batch.rows; i++) {
      poisoned.computeIfAbsent(batch.sources[i], k -> new HashSet<>()).add(batch.offsets[i]);
    }
  }

  boolean isPoisoned(TopicPartition tp, long offset) {
    Set<Long> bad = poisoned.get(tp);
    return bad != null && bad.contains(offset);
  }

  Map<TopicPartition, Set<Long>> poisoned() {
    return poisoned;
  }

  /** After a commit: offsets now behind the committed position are never read again. */
  void committed() {
    poisoned.entrySet().removeIf(e -> {
      e.getValue().removeIf(offset -> offset < nextOffset.getOrDefault(e.getKey(), 0L));
      return e.getValue().isEmpty();
    });
  }

  /** A version was published: the next one's lineage starts here. */
  void versionPublished() {
    rangeStart.putAll(nextOffset);
    nextOffset.forEach((tp, next) -> {
      Segments s = segments(tp);
      s.closed.clear();
      s.start = next;
      s.skipped = 0;
    });
  }

  /**
   * A group member's: the group assigned {@code tp}, whose records it reads from {@code start} (the
   * committed offset): the partition's next lineage range starts there.
   */
  void assign(TopicPartition tp, long start) {
    rangeStart.put(tp, start);
    nextOffset.put(tp, start);
    segments.put(tp, new Segments(start));
    poisoned.remove(tp);
  }

  /** A group member's: the group took these partitions away; nothing of them is committed from now on. */
  void remove(Set<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      rangeStart.remove(tp);
      nextOffset.remove(tp);
      segments.remove(tp);
      poisoned.remove(tp);
    }
  }

  /** The next offset of every partition: where the consumer is to read from to go on as the ledger stands. */
  Map<TopicPartition, Long> positions() {
    return new LinkedHashMap<>(nextOffset);
  }

  /**
   * A group member's rollback: everything consumed since each partition's range start (its last
   * contribution, or its assignment) is to be read again.
   *
   * @return the offsets to seek to
   */
  Map<TopicPartition, Long> rewindToRangeStart() {
    rangeStart.forEach((tp, start) -> {
      nextOffset.put(tp, start);
      segments.put(tp, new Segments(start));
    });
    return positions();
  }

  int partitionCount(String topic) {
    return (int) nextOffset.keySet().stream().filter(tp -> tp.topic().equals(topic)).count();
  }

  /** Each partition's progress, as a checkpoint stores it. */
  List<Checkpoint.PartitionProgress> progress() {
    List<Checkpoint.PartitionProgress> progress = new ArrayList<>();
    nextOffset.forEach((tp, next) -> progress.add(new Checkpoint.PartitionProgress(tp.topic(), tp.partition(),
        rangeStart.getOrDefault(tp, next), next, ranges(tp, next))));
    return progress;
  }

  /** The offsets to commit with the transaction. */
  Map<TopicPartition, OffsetAndMetadata> consumed() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    nextOffset.forEach((tp, next) -> offsets.put(tp, new OffsetAndMetadata(next)));
    return offsets;
  }

  /** The records consumed since the last version, per partition: the next version's lineage. */
  List<OffsetRange> lineage() {
    List<OffsetRange> ranges = new ArrayList<>();
    nextOffset.forEach((tp, next) -> ranges.addAll(ranges(tp, next)));
    ranges.sort(Comparator.comparing(OffsetRange::topic).thenComparing(OffsetRange::partition)
        .thenComparingLong(OffsetRange::fromOffset));
    return ranges;
  }

  @Override
  public String toString() {
    return nextOffset.toString();
  }
}
