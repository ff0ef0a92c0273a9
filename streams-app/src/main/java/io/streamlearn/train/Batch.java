package io.streamlearn.train;

/**
 * A preallocated mini-batch: the inputs row-major and one target per row. Reused for every batch;
 * nothing is allocated per example.
 */
final class Batch {
  final float[] x;
  final float[] y;
  final float[] predictions;
  final int capacity;
  final int features;
  int rows;

  Batch(int capacity, int features, int outputs) {
    this.capacity = capacity;
    this.features = features;
    this.x = new float[capacity * features];
    this.y = new float[capacity];
    this.predictions = new float[capacity * outputs];
  }

  void add(float[] input, float target) {
    System.arraycopy(input, 0, x, rows * features, features);
    y[rows] = target;
    rows++;
  }

  boolean isFull() {
    return rows == capacity;
  }

  void clear() {
    rows = 0;
  }
}
