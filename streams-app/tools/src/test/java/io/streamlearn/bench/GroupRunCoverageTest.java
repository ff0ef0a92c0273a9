package io.streamlearn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamlearn.registry.OffsetRange;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupRunCoverageTest {
  private static final String TOPIC = "in";
  private static final Map<TopicPartition, Long> ENDS = Map.of(new TopicPartition(TOPIC, 0), 100L,
      new TopicPartition(TOPIC, 1), 50L);

  @Test
  void theCoveringVersionIsTheFirstWhoseLineageWithItsPredecessorsReachesEveryPartitionsEnd() {
    TreeMap<Long, List<OffsetRange>> lineages = new TreeMap<>();
    lineages.put(1L, List.of(new OffsetRange(TOPIC, 0, 0, 60), new OffsetRange(TOPIC, 1, 0, 50)));
    lineages.put(2L, List.of(new OffsetRange(TOPIC, 0, 60, 90)));
    lineages.put(3L, List.of(new OffsetRange(TOPIC, 0, 90, 100)));
    lineages.put(4L, List.of());

    GroupRun.Coverage c = GroupRun.Coverage.ofLineages(lineages, TOPIC, ENDS);

    assertEquals(new GroupRun.Coverage(3, 0), c);
  }

  @Test
  void aGapLeavesTheInputUncoveredAndRangesOfOtherTopicsDoNotFillIt() {
    TreeMap<Long, List<OffsetRange>> lineages = new TreeMap<>();
    lineages.put(1L, List.of(new OffsetRange(TOPIC, 0, 0, 40), new OffsetRange(TOPIC, 1, 0, 50)));
    lineages.put(2L, List.of(new OffsetRange(TOPIC, 0, 41, 100), new OffsetRange("other", 0, 40, 41)));

    assertEquals(new GroupRun.Coverage(0, 0), GroupRun.Coverage.ofLineages(lineages, TOPIC, ENDS));
  }

  @Test
  void aRangeTrainedTwiceCountsAsAnOverlap() {
    TreeMap<Long, List<OffsetRange>> lineages = new TreeMap<>();
    lineages.put(1L, List.of(new OffsetRange(TOPIC, 0, 0, 70), new OffsetRange(TOPIC, 1, 0, 50)));
    lineages.put(2L, List.of(new OffsetRange(TOPIC, 0, 60, 100)));

    assertEquals(new GroupRun.Coverage(2, 1), GroupRun.Coverage.ofLineages(lineages, TOPIC, ENDS));
  }
}
