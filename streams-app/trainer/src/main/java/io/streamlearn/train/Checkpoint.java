package io.streamlearn.train;

import io.streamlearn.learn.OptimizerState;
import io.streamlearn.learn.scale.OnlineScaler;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.tensor.NamedTensor;
import java.util.List;
import java.util.Objects;

/**
 * Everything a trainer needs to resume exactly where it stopped, written to the checkpoint topic in
 * the same Kafka transaction that commits the consumed offsets (see {@link CheckpointCodec} for
 * the bytes).
 *
 * @param model the model name (also the record key)
 * @param architecture the network in the layer language
 * @param features input feature count
 * @param lastVersion the newest version this trainer published (the parent of the next one)
 * @param examplesSeen examples trained on since the model's first version
 * @param examplesSinceParent examples trained on since {@code lastVersion}, not yet in any version
 * @param partitions per input partition: where the unpublished offset range starts and the next
 *     offset to consume
 * @param parameters the weights
 * @param optimizer the optimizer's step counter and slots (Adam moments, ...)
 * @param configuredLearningRate the learning rate the run was configured with
 * @param learningRate the current base learning rate (after plateau reductions and drift boosts)
 * @param rate reduce-on-plateau and drift-boost state
 * @param scaler the online scaler's statistics, or {@code null} without a scaler
 * @param join pending delayed-label join state, or {@code null} without delayed labels
 * @param pipeline the feature pipeline's fitted state ({@code FrozenPipeline} JSON: vocabularies,
 *     running statistics, label classes) of a trainer over raw records, or {@code null} over events
 * @param reference the accumulating reference sketch of the training inputs ({@code
 *     ReferenceSketch.toBytes()}), or {@code null} without one
 */
record Checkpoint(String model, String architecture, int features, long lastVersion,
          long examplesSeen, long examplesSinceParent, List<PartitionProgress> partitions,
          List<NamedTensor> parameters, OptimizerState optimizer, double configuredLearningRate,
          double learningRate, LearningRateControl.State rate, OnlineScaler.State scaler,
          LabelJoin.State join, String pipeline, byte[] reference) {

  /** A checkpoint of a trainer over streamlearn's own events (no feature pipeline). */
  Checkpoint(String model, String architecture, int features, long lastVersion,
             long examplesSeen, long examplesSinceParent, List<PartitionProgress> partitions,
             List<NamedTensor> parameters, OptimizerState optimizer, double configuredLearningRate,
             double learningRate, LearningRateControl.State rate, OnlineScaler.State scaler,
             LabelJoin.State join) {
    this(model, architecture, features, lastVersion, examplesSeen, examplesSinceParent, partitions, parameters,
        optimizer, configuredLearningRate, learningRate, rate, scaler, join, null, null);
  }

  /** A checkpoint without a reference sketch (written before drift without labels, or with the sketch off). */
  Checkpoint(String model, String architecture, int features, long lastVersion,
             long examplesSeen, long examplesSinceParent, List<PartitionProgress> partitions,
             List<NamedTensor> parameters, OptimizerState optimizer, double configuredLearningRate,
             double learningRate, LearningRateControl.State rate, OnlineScaler.State scaler,
             LabelJoin.State join, String pipeline) {
    this(model, architecture, features, lastVersion, examplesSeen, examplesSinceParent, partitions, parameters,
        optimizer, configuredLearningRate, learningRate, rate, scaler, join, pipeline, null);
  }

  /** Validates and copies. */
  Checkpoint {
  Objects.requireNonNull(model, "model");
  Objects.requireNonNull(architecture, "architecture");
  if (features < 1 || lastVersion < 0 || examplesSinceParent < 0 || examplesSinceParent > examplesSeen) {
    throw new IllegalArgumentException("need features >= 1, lastVersion >= 0 and 0 <= examplesSinceParent"
      + " <= examplesSeen, found " + features + ", " + lastVersion + ", " + examplesSinceParent
      + " and " + examplesSeen);
  }
  partitions = List.copyOf(partitions);
  parameters = List.copyOf(parameters);
  Objects.requireNonNull(optimizer, "optimizer");
  Objects.requireNonNull(rate, "rate");
  reference = reference == null ? null : reference.clone();
  }

  /** A copy of the sketch's bytes, or {@code null}. */
  @Override
  public byte[] reference() {
    return reference == null ? null : reference.clone();
  }

  /**
   * Progress on one input partition.
   *
   * @param rangeStart the first offset not yet covered by a published version's lineage
   * @param nextOffset the next offset to consume (committed with the checkpoint)
   * @param ranges the next version's lineage ranges of this partition so far, split where the
   *     sampling rate changed ({@code --max-lag}), with their rates and skipped counts; they tile
   *     {@code [rangeStart, nextOffset)}. Empty: one range at rate 1 (a checkpoint of format 3 or
   *     older, or nothing consumed since {@code rangeStart})
   */
  record PartitionProgress(String topic, int partition, long rangeStart, long nextOffset, List<OffsetRange> ranges) {
  PartitionProgress {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0 || rangeStart < 0 || nextOffset < rangeStart) {
    throw new IllegalArgumentException("need partition >= 0 and 0 <= rangeStart <= nextOffset, found "
      + partition + ", " + rangeStart + ", " + nextOffset);
    }
    ranges = List.copyOf(ranges);
    long at = rangeStart;
    for (OffsetRange r : ranges) {
      if (r.fromOffset() != at || !r.topic().equals(topic) || r.partition() != partition) {
        throw new IllegalArgumentException("ranges must tile [" + rangeStart + ", " + nextOffset + ") of " + topic
            + "-" + partition + ", found " + ranges);
      }
      at = r.untilOffset();
    }
    if (!ranges.isEmpty() && at != nextOffset) {
      throw new IllegalArgumentException("ranges must end at nextOffset " + nextOffset + ", found " + ranges);
    }
  }

  /** Progress with no sampling recorded: whatever was consumed since {@code rangeStart} was at rate 1. */
  PartitionProgress(String topic, int partition, long rangeStart, long nextOffset) {
    this(topic, partition, rangeStart, nextOffset, List.of());
  }
  }
}
