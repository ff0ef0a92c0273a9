package io.streamlearn.testkit.gen;

import java.util.SplittableRandom;

/**
 * SEA concepts (Street and Kim, 2001): three features uniform in {@code [0,10]}, class 1 when
 * {@code x1 + x2 <= theta}; theta cycles through 8, 9, 7 and 9.5, switching abruptly every
 * {@code conceptLength} examples. The third feature is irrelevant.
 */
public final class Sea implements StreamGenerator {
  private static final double[] THETAS = {8, 9, 7, 9.5};
  private final long conceptLength;
  private final double noise;
  private final SplittableRandom random;
  private long produced;

  /**
   * @param seed random seed
   * @param conceptLength examples per concept, {@code >= 1}
   * @param noise share of labels flipped, in {@code [0, 0.5)}
   */
  public Sea(long seed, long conceptLength, double noise) {
    if (conceptLength < 1) {
      throw new IllegalArgumentException("conceptLength must be >= 1, found " + conceptLength);
    }
    if (!(noise >= 0 && noise < 0.5)) {
      throw new IllegalArgumentException("noise must be in [0, 0.5), found " + noise);
    }
    this.conceptLength = conceptLength;
    this.noise = noise;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public int featureCount() {
    return 3;
  }

  @Override
  public int classCount() {
    return 2;
  }

  @Override
  public Example next() {
    double theta = THETAS[(int) ((produced++ / conceptLength) % THETAS.length)];
    float[] x = {(float) (10 * random.nextDouble()), (float) (10 * random.nextDouble()),
        (float) (10 * random.nextDouble())};
    boolean positive = x[0] + x[1] <= theta;
    if (noise > 0 && random.nextDouble() < noise) {
      positive = !positive;
    }
    return new Example(x, positive ? 1 : 0);
  }
}
