package io.streamlearn.train;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.SparseRows;
import org.apache.kafka.common.TopicPartition;

/**
 * A preallocated mini-batch: the inputs row-major, one target per row, and where each row came
 * from (so a poisoned batch can be dead-lettered after a rollback). Reused for every batch;
 * nothing is allocated per example. A batch of raw records holds its inputs as the feature
 * pipeline writes them instead, in {@link #sparse} (dense block and sparse fields), and no
 * {@link #x}.
 */
final class Batch {
  final float[] x;
  final float[] y;
  final float[] predictions;
  final TopicPartition[] sources;
  final long[] offsets;
  final int capacity;
  final int features;
  /** The featurized rows of a raw-record batch, null for events. */
  final SparseRows sparse;
  int rows;

  /** A batch of raw records' rows in {@code layout}. */
  Batch(int capacity, FeatureLayout layout, int outputs) {
    this.capacity = capacity;
    this.features = layout.totalWidth();
    this.x = new float[0];
    this.sparse = new SparseRows(layout, capacity);
    this.y = new float[capacity];
    this.predictions = new float[capacity * outputs];
    this.sources = new TopicPartition[capacity];
    this.offsets = new long[capacity];
  }

  Batch(int capacity, int features, int outputs) {
    this.capacity = capacity;
    this.features = features;
    this.sparse = null;
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

  /** Completes the row whose features were written in place at {@code rows * features} (or appended to {@link #sparse}). */
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
    if (sparse != null) {
      sparse.clear();
    }
  }
}
