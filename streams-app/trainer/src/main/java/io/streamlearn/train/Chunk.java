package io.streamlearn.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the {@link Poller} hands the training thread: consecutive records of the input partitions,
 * already decoded into a training batch and held-out rows where the fast path could, the others
 * kept as records for the trainer's general path. The training thread takes a chunk whole: it
 * never checkpoints in the middle of one, so a checkpoint's offsets always cover whole chunks.
 * Chunks are recycled; nothing is allocated per example.
 */
final class Chunk {
  /** The fast path's training rows; null before the trainer knows its network. */
  final Batch train;
  /** The fast path's held-out rows (features row-major, then one label each). */
  final float[] heldX;
  final float[] heldY;
  int held;
  /** Records for the general path, in consumption order. */
  final List<ConsumerRecord<String, byte[]>> raw = new ArrayList<>();
  /**
   * Beside each of {@link #raw}, over the users' own records: what the poller thread decoded it to
   * (an {@code InputRecord}, or the {@code BadRecordException} that refused it), else null.
   */
  final List<Object> decoded = new ArrayList<>();
  /** Per partition, the offset after the last record in this chunk. */
  final Map<TopicPartition, Long> next = new HashMap<>();
  /** Records in this chunk, and how many of them the fast path took. */
  int records;
  int fast;
  /** The share of training examples kept ({@link LagSampling}); chosen when the chunk opens. */
  double rate = 1.0;
  /** Per partition, the fast path's events left out by that sampling. */
  final Map<TopicPartition, Long> skipped = new HashMap<>();
  /** The trainer's rollback epoch the records were read in; a chunk of an older epoch is dropped. */
  long epoch;
  long openedNanos;

  /** A chunk of the fast path's layout, or (with a null layout) one that only carries records. */
  Chunk(Poller.Layout layout) {
    if (layout == null) {
      train = null;
      heldX = null;
      heldY = null;
    } else {
      train = new Batch(layout.batchSize(), layout.features(), layout.outputs());
      heldX = new float[layout.batchSize() * layout.features()];
      heldY = new float[layout.batchSize()];
    }
  }

  /** Whether nothing more fits: a full batch, full held-out rows or enough records for the general path. */
  boolean isFull(int maxRaw) {
    return (train != null && (train.isFull() || held == heldY.length)) || raw.size() >= maxRaw;
  }

  void clear() {
    if (train != null) {
      train.clear();
    }
    held = 0;
    raw.clear();
    decoded.clear();
    next.clear();
    skipped.clear();
    rate = 1.0;
    records = 0;
    fast = 0;
  }
}
