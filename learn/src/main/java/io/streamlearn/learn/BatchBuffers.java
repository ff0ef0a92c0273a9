package io.streamlearn.learn;

import java.nio.FloatBuffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Learner}'s training network and per-batch arrays, preallocated for a number of rows.
 * A larger batch makes them grow, to at least twice their rows so that a slowly growing batch
 * size does not allocate at every step; the new network reads the same parameters and draws the
 * same dropout masks, so growing changes no result. Not thread-safe.
 */
final class BatchBuffers {

  private static final Logger LOG = LoggerFactory.getLogger(BatchBuffers.class);

  private final Layout layout;
  private final float[] params;
  private final FloatBuffer nativeParams;
  private final int targetsPerRow;
  private final long seed;
  /** The widest row of any buffer (inputs or a layer's units), which bounds how far they can grow. */
  private final int widest;

  int capacity;
  Network network;
  float[] logits;
  float[] outputs;
  float[] dLogits;
  /** Targets of a batch that had to be copied or converted (from an offset, from int labels). */
  float[] targets;

  BatchBuffers(Layout layout, float[] params, FloatBuffer nativeParams, int targetsPerRow, int rows, long seed) {
    this.layout = layout;
    this.params = params;
    this.nativeParams = nativeParams;
    this.targetsPerRow = targetsPerRow;
    this.seed = seed;
    int w = layout.spec.inputs();
    for (int width : layout.outWidth) {
      w = Math.max(w, width);
    }
    this.widest = w;
    allocate(rows);
  }

  private void allocate(int rows) {
    int outs = layout.outputs();
    network = new Network(layout, params, nativeParams, true, rows, seed);
    logits = new float[rows * outs];
    outputs = new float[rows * outs];
    dLogits = new float[rows * outs];
    targets = new float[rows * targetsPerRow];
    capacity = rows;
  }

  /**
   * Makes room for a batch of {@code rows} rows.
   *
   * @throws IllegalArgumentException if such a batch would not fit in a Java array
   */
  void ensure(int rows) {
    if (rows <= capacity) {
      return;
    }
    long limit = Integer.MAX_VALUE / Math.max(widest, targetsPerRow);
    if (rows > limit) {
      throw new IllegalArgumentException("a batch of " + rows + " rows is too large for network "
          + layout.spec.text() + ": at most " + limit);
    }
    int grown = (int) Math.min(limit, Math.max(rows, 2L * capacity));
    LOG.debug("batch of {} rows: buffers grow from {} to {} rows", rows, capacity, grown);
    allocate(grown);
  }
}
