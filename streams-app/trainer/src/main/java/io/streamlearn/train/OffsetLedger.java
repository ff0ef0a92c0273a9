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
 * read again. It is what a checkpoint saves and a version's lineage reports. Not thread-safe.
 */
final class OffsetLedger {
  private final Map<TopicPartition, Long> rangeStart = new LinkedHashMap<>();
  private final Map<TopicPartition, Long> nextOffset = new LinkedHashMap<>();
  private final Map<TopicPartition, Set<Long>> poisoned = new HashMap<>();

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
  }

  int partitionCount(String topic) {
    return (int) nextOffset.keySet().stream().filter(tp -> tp.topic().equals(topic)).count();
  }

  /** Each partition's progress, as a checkpoint stores it. */
  List<Checkpoint.PartitionProgress> progress() {
    List<Checkpoint.PartitionProgress> progress = new ArrayList<>();
    nextOffset.forEach((tp, next) -> progress.add(
        new Checkpoint.PartitionProgress(tp.topic(), tp.partition(), rangeStart.getOrDefault(tp, next), next)));
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
    nextOffset.forEach((tp, next) -> {
      long from = rangeStart.getOrDefault(tp, next);
      if (next > from) {
        ranges.add(new OffsetRange(tp.topic(), tp.partition(), from, next));
      }
    });
    ranges.sort(Comparator.comparing(OffsetRange::topic).thenComparing(OffsetRange::partition));
    return ranges;
  }

  @Override
  public String toString() {
    return nextOffset.toString();
  }
}
