package io.streamlearn.registry;

import java.util.Objects;

/**
 * The offsets {@code [fromOffset, untilOffset)} of one input partition that a version was trained
 * on since its parent, and the share of them it trained at: a trainer bounding its lag
 * ({@code --max-lag}) trains on a deterministic sample of what it reads while it is behind, and
 * records the rate and the exact count it left out, so the range's records are accounted for as
 * trained, held out, dead-lettered or {@code skipped} by sampling.
 *
 * @param sampleRate the share of the range's training examples kept, in (0, 1]; 1 when the trainer kept up
 * @param skipped records of the range consumed but left out by sampling (never trained on)
 */
public record OffsetRange(String topic, int partition, long fromOffset, long untilOffset, double sampleRate,
                          long skipped) {
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
    if (!(sampleRate > 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("sampleRate must be in (0, 1], found " + sampleRate);
    }
    if (skipped < 0 || skipped > untilOffset - fromOffset) {
      throw new IllegalArgumentException("skipped must be in [0, " + (untilOffset - fromOffset) + "], found "
          + skipped);
    }
  }

  /** A range trained on in full (no sampling). */
  public OffsetRange(String topic, int partition, long fromOffset, long untilOffset) {
    this(topic, partition, fromOffset, untilOffset, 1.0, 0);
  }

  /** Records in the range. */
  public long records() {
    return untilOffset - fromOffset;
  }

  /** Whether this range shares an offset with {@code other} on the same partition. */
  public boolean overlaps(OffsetRange other) {
    return topic.equals(other.topic) && partition == other.partition
        && fromOffset < other.untilOffset && other.fromOffset < untilOffset;
  }
}
