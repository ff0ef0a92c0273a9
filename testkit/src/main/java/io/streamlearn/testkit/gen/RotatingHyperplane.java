package io.streamlearn.testkit.gen;

import java.util.SplittableRandom;

/**
 * The rotating hyperplane (Hulten et al.; MOA's {@code HyperplaneGenerator}): features uniform in
 * {@code [0,1]^d}, class 1 when {@code sum(w_i x_i) >= sum(w_i) / 2}. The weights move by
 * {@code driftPerExample} each example (gradual drift), and {@link #flip()} inverts the concept at
 * once (abrupt drift). A share {@code noise} of labels is flipped at random.
 */
public final class RotatingHyperplane implements StreamGenerator {
  private final int dims;
  private final double driftPerExample;
  private final double noise;
  private final double[] weights;
  private final double[] direction;
  private final SplittableRandom random;
  private boolean flipped;

  /**
   * @param dims feature count, {@code >= 2}
   * @param seed random seed
   * @param driftPerExample how far each weight moves per example
   * @param noise share of labels flipped, in {@code [0, 0.5)}
   */
  public RotatingHyperplane(int dims, long seed, double driftPerExample, double noise) {
    if (dims < 2) {
      throw new IllegalArgumentException("dims must be >= 2, found " + dims);
    }
    if (!(noise >= 0 && noise < 0.5)) {
      throw new IllegalArgumentException("noise must be in [0, 0.5), found " + noise);
    }
    this.dims = dims;
    this.driftPerExample = driftPerExample;
    this.noise = noise;
    this.random = new SplittableRandom(seed);
    this.weights = new double[dims];
    this.direction = new double[dims];
    for (int i = 0; i < dims; i++) {
      weights[i] = random.nextDouble();
      direction[i] = random.nextBoolean() ? 1 : -1;
    }
  }

  /** Inverts the concept: from now on every label is the opposite class. */
  public void flip() {
    flipped = !flipped;
  }

  @Override
  public int featureCount() {
    return dims;
  }

  @Override
  public int classCount() {
    return 2;
  }

  @Override
  public Example next() {
    float[] x = new float[dims];
    double sum = 0;
    double total = 0;
    for (int i = 0; i < dims; i++) {
      x[i] = (float) random.nextDouble();
      sum += weights[i] * x[i];
      total += weights[i];
    }
    boolean positive = sum >= total / 2;
    if (flipped) {
      positive = !positive;
    }
    if (noise > 0 && random.nextDouble() < noise) {
      positive = !positive;
    }
    for (int i = 0; i < dims && driftPerExample != 0; i++) {
      weights[i] += direction[i] * driftPerExample;
      if (weights[i] < 0 || weights[i] > 1) {
        direction[i] = -direction[i];
        weights[i] = Math.max(0, Math.min(1, weights[i]));
      }
    }
    return new Example(x, positive ? 1 : 0);
  }
}
