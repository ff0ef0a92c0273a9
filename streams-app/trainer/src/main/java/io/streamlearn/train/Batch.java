package io.streamlearn.train;

import org.apache.kafka.common.TopicPartition;

/**
 * A preallocated mini-batch: the inputs row-major, one target per row, and where each row came
 * from (so a poisoned batch can be dead-lettered after a rollback). Reused for every batch;
 * nothing is allocated per example.
 */
final class Batch {
  final float[] x;
  final float[] y;
  final float[] predictions;
  final TopicPartition[] sources;
  final long[] offsets;
  final int capacity;
  final int features;
  int rows;

  Batch(int capacity, int features, int outputs) {
    this.capacity = capacity;
    this.features = features;
    this.x = new float[capacity * features];
    this.y = new float[capacity];
    this.predictions = new float[capacity * outputs];
    this.sources = new TopicPartition[capacity];
    this.offsets = new long[capacity];
  }

  void add(float[] input, float target, TopicPartition source, long offset) {
    System.arraycopy(input, 0, x, rows * features, features);
    y[rows] = target;
    sources[rows] = source;
    offsets[rows] = offset;
    rows++;
  }

  /** Completes the row whose features were written in place at {@code rows * features}. */
  void commitRow(float target, TopicPartition source, long offset) {
    y[rows] = target;
    sources[rows] = source;
    offsets[rows] = offset;
    rows++;
  }

  boolean isFull() {
    return rows == capacity;
  }

  void clear() {
    rows = 0;
  }
}
