package io.streamlearn.train;

import io.streamlearn.registry.OffsetRange;
import java.util.List;
import java.util.Objects;

/**
 * What a checkpoint record says about where a trainer stands, for tools and tests that read the
 * checkpoint topic: the weights and optimizer state stay inside the trainer's own format.
 *
 * @param lastVersion the newest version the trainer had published (the next one's parent)
 * @param examplesSeen examples trained on since the model's first version
 * @param examplesSinceParent examples trained on since {@code lastVersion}
 * @param partitions per input partition, the offsets not yet in a published version's lineage:
 *     {@code untilOffset} is the next offset to consume
 * @param featurePipeline the feature pipeline's state (FrozenPipeline JSON) of a trainer over raw
 *     records, empty over events
 */
public record CheckpointSummary(String model, long lastVersion, long examplesSeen, long examplesSinceParent,
                                List<OffsetRange> partitions, String featurePipeline) {
  /** Validates and copies. */
  public CheckpointSummary {
    Objects.requireNonNull(model, "model");
    if (lastVersion < 0 || examplesSinceParent < 0 || examplesSinceParent > examplesSeen) {
      throw new IllegalArgumentException("need lastVersion >= 0 and 0 <= examplesSinceParent <= examplesSeen, found "
          + lastVersion + ", " + examplesSinceParent + " and " + examplesSeen);
    }
    partitions = List.copyOf(partitions);
    Objects.requireNonNull(featurePipeline, "featurePipeline");
  }

  /**
   * Decodes a checkpoint record's value.
   *
   * @throws IllegalArgumentException when it is not a checkpoint this trainer can read
   */
  public static CheckpointSummary decode(byte[] value) {
    Checkpoint c = CheckpointCodec.decode(value);
    return new CheckpointSummary(c.model(), c.lastVersion(), c.examplesSeen(), c.examplesSinceParent(),
        c.partitions().stream().map(p -> new OffsetRange(p.topic(), p.partition(), p.rangeStart(), p.nextOffset()))
            .toList(), c.pipeline() == null ? "" : c.pipeline());
  }

  /** The next offset to consume in a partition, or -1 when the checkpoint does not know it. */
  public long nextOffset(String topic, int partition) {
    return partitions.stream().filter(p -> p.topic().equals(topic) && p.partition() == partition)
        .mapToLong(OffsetRange::untilOffset).findFirst().orElse(-1);
  }
}
