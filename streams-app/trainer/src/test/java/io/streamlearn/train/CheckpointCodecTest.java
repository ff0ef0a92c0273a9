package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.OptimizerState;
import io.streamlearn.learn.drift.ReferenceSketch;
import io.streamlearn.learn.scale.OnlineScaler;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.tensor.NamedTensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {
  private static Checkpoint sample() {
    LabelJoin.State join = new LabelJoin.State(List.of(new InputEvent("f", 5, new float[] {1f, 2f}, null)),
        List.of(new LabelJoin.PendingLabel("l", 7, new InputEvent.ClassIndex(3))), new long[] {5, 6},
        new long[] {Long.MIN_VALUE}, 9);
    return new Checkpoint("m", "dense(2,softmax)", 2, 4, 1_000, 64,
        List.of(new Checkpoint.PartitionProgress("t", 0, 10, 20), new Checkpoint.PartitionProgress("t", 1, 0, 0)),
        List.of(new NamedTensor("layers.0.weight", new int[] {2, 2}, new float[] {1f, -2f, Float.MIN_VALUE, 4f}),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[] {0.5f, 0f})),
        new OptimizerState(17, List.of(new NamedTensor("m", new int[] {6}, new float[6]))), 0.01, 0.005,
        new LearningRateControl.State(0.3, 2, 5, 0.01),
        new OnlineScaler.State("standard", 100, new double[] {1, 2}, new double[] {3, 4}), join);
  }

  @Test
  void roundTripsEveryField() {
    Checkpoint c = sample();
    Checkpoint d = CheckpointCodec.decode(CheckpointCodec.encode(c));
    assertEquals(c.model(), d.model());
    assertEquals(c.partitions(), d.partitions());
    assertEquals(c.parameters(), d.parameters());
    assertEquals(c.optimizer(), d.optimizer());
    assertEquals(c.rate(), d.rate());
    assertEquals(List.of(c.lastVersion(), c.examplesSeen(), c.examplesSinceParent()),
        List.of(d.lastVersion(), d.examplesSeen(), d.examplesSinceParent()));
    assertEquals(c.learningRate(), d.learningRate());
    assertArrayEquals(c.scaler().second(), d.scaler().second());
    assertEquals(c.join().features(), d.join().features());
    assertEquals(c.join().labels(), d.join().labels());
    assertArrayEquals(c.join().featureTimes(), d.join().featureTimes());
    assertEquals(9, d.join().dropped());
  }

  @Test
  void refusesWhatIsNotACheckpoint() {
    byte[] bytes = CheckpointCodec.encode(sample());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointCodec.decode(Arrays.copyOf(bytes, bytes.length / 2)));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    bytes[0] = 'X';
    e = assertThrows(IllegalArgumentException.class, () -> CheckpointCodec.decode(bytes));
    assertTrue(e.getMessage().contains("not a trainer checkpoint"), e.getMessage());
  }

  @Test
  void roundTripsTheFeaturePipelineOfARawTrainer() {
    Checkpoint c = sample();
    String pipeline = "{\"format\":1,\"vocabulary\":\"" + "x".repeat(70_000) + "\"}"; // past writeUTF's 64 KiB
    Checkpoint raw = new Checkpoint(c.model(), c.architecture(), c.features(), c.lastVersion(), c.examplesSeen(),
        c.examplesSinceParent(), c.partitions(), c.parameters(), c.optimizer(), c.configuredLearningRate(),
        c.learningRate(), c.rate(), null, null, pipeline);
    assertEquals(pipeline, CheckpointCodec.decode(CheckpointCodec.encode(raw)).pipeline());
    assertEquals(null, CheckpointCodec.decode(CheckpointCodec.encode(c)).pipeline(), "a trainer over events has none");
  }

  /**
   * The sample as format 3 wrote it: format 4 without the trailing per-partition range counts (the
   * sample's partitions have no ranges, one int each).
   */
  private static byte[] format3() {
    byte[] v4 = CheckpointCodec.encode(sample());
    byte[] v3 = Arrays.copyOf(v4, v4.length - Integer.BYTES * sample().partitions().size());
    java.nio.ByteBuffer.wrap(v3).putInt(4, CheckpointCodec.FORMAT_3);
    return v3;
  }

  @Test
  void stillDecodesAFormat3CheckpointWrittenBeforeSampledRanges() {
    Checkpoint d = CheckpointCodec.decode(format3());
    assertEquals(sample().partitions(), d.partitions());
    assertEquals(List.of(), d.partitions().get(0).ranges(), "no ranges: all at rate 1");
  }

  @Test
  void roundTripsTheSampledLineageRangesOfEachPartition() {
    Checkpoint c = sample();
    List<OffsetRange> ranges = List.of(new OffsetRange("t", 0, 10, 14, 1.0, 0),
        new OffsetRange("t", 0, 14, 20, 0.25, 5));
    List<Checkpoint.PartitionProgress> partitions = List.of(new Checkpoint.PartitionProgress("t", 0, 10, 20, ranges),
        c.partitions().get(1));
    Checkpoint sampled = new Checkpoint(c.model(), c.architecture(), c.features(), c.lastVersion(), c.examplesSeen(),
        c.examplesSinceParent(), partitions, c.parameters(), c.optimizer(), c.configuredLearningRate(),
        c.learningRate(), c.rate(), c.scaler(), c.join());
    assertEquals(partitions, CheckpointCodec.decode(CheckpointCodec.encode(sampled)).partitions());
  }

  @Test
  void progressWhoseRangesDoNotTileItsOffsetsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint.PartitionProgress("t", 0, 10, 20,
        List.of(new OffsetRange("t", 0, 10, 15, 0.5, 1))));
    assertThrows(IllegalArgumentException.class, () -> new Checkpoint.PartitionProgress("t", 0, 10, 20,
        List.of(new OffsetRange("t", 0, 11, 20, 0.5, 1))));
  }

  @Test
  void stillDecodesAFormat1CheckpointWrittenBeforeTheFeaturePipeline() {
    // Format 1 is format 3 without the trailing pipeline and sketch flags: derive those bytes from the sample.
    byte[] v3 = format3();
    byte[] v1 = Arrays.copyOf(v3, v3.length - 2);
    java.nio.ByteBuffer.wrap(v1).putInt(4, CheckpointCodec.FORMAT_1);
    Checkpoint d = CheckpointCodec.decode(v1);
    assertEquals(sample().parameters(), d.parameters());
    assertEquals(9, d.join().dropped());
    assertEquals(null, d.pipeline());
  }

  @Test
  void stillDecodesAFormat2CheckpointWrittenBeforeTheReferenceSketch() {
    byte[] v3 = format3();
    byte[] v2 = Arrays.copyOf(v3, v3.length - 1); // format 3 without the trailing sketch flag
    java.nio.ByteBuffer.wrap(v2).putInt(4, CheckpointCodec.FORMAT_2);
    Checkpoint d = CheckpointCodec.decode(v2);
    assertEquals(sample().parameters(), d.parameters());
    assertEquals(null, d.reference());
  }

  @Test
  void roundTripsTheAccumulatingReferenceSketch() {
    Checkpoint c = sample();
    ReferenceSketch sketch = new ReferenceSketch(2, 10, 64, 4);
    sketch.add(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5);
    Checkpoint with = new Checkpoint(c.model(), c.architecture(), c.features(), c.lastVersion(), c.examplesSeen(),
        c.examplesSinceParent(), c.partitions(), c.parameters(), c.optimizer(), c.configuredLearningRate(),
        c.learningRate(), c.rate(), c.scaler(), c.join(), null, sketch.toBytes());
    Checkpoint d = CheckpointCodec.decode(CheckpointCodec.encode(with));
    assertEquals(sketch.reference(), ReferenceSketch.fromBytes(d.reference()).reference());
    assertEquals(null, CheckpointCodec.decode(CheckpointCodec.encode(c)).reference(), "none written, none read");
  }
}
