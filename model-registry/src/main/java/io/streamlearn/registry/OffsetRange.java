package io.streamlearn.registry;

import java.util.Objects;

/**
 * The offsets {@code [fromOffset, untilOffset)} of one input partition that a version was trained
 * on since its parent.
 */
public record OffsetRange(String topic, int partition, long fromOffset, long untilOffset) {
  /** Validates. */
  public OffsetRange {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, found " + partition);
    }
    if (fromOffset < 0 || untilOffset < fromOffset) {
      throw new IllegalArgumentException("offset range must satisfy 0 <= from <= until, found ["
          + fromOffset + ", " + untilOffset + ")");
    }
  }

  /** Whether this range shares an offset with {@code other} on the same partition. */
  public boolean overlaps(OffsetRange other) {
    return topic.equals(other.topic) && partition == other.partition
        && fromOffset < other.untilOffset && other.fromOffset < untilOffset;
  }
}
