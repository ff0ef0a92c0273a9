package io.streamlearn.testkit.gen;

import java.util.SplittableRandom;

/**
 * Classes as isotropic Gaussian blobs (unit variance) whose centres drift: after every example each
 * centre takes a small random step, so the concept moves gradually and a model that stops learning
 * decays. Centres start on a sphere of radius 3, far enough apart that a linear model can reach
 * high accuracy.
 */
public final class GaussianBlobs implements StreamGenerator {
  private final int classes;
  private final int dims;
  private final double driftPerExample;
  private final double[][] centres;
  private final SplittableRandom random;

  /**
   * @param classes number of blobs, {@code >= 2}
   * @param dims feature count, {@code >= 1}
   * @param seed the random seed
   * @param driftPerExample standard deviation of each centre's random step per example (0: static)
   */
  public GaussianBlobs(int classes, int dims, long seed, double driftPerExample) {
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be >= 2, found " + classes);
    }
    if (dims < 1) {
      throw new IllegalArgumentException("dims must be >= 1, found " + dims);
    }
    if (!(driftPerExample >= 0)) {
      throw new IllegalArgumentException("driftPerExample must be >= 0, found " + driftPerExample);
    }
    this.classes = classes;
    this.dims = dims;
    this.driftPerExample = driftPerExample;
    this.random = new SplittableRandom(seed);
    this.centres = new double[classes][dims];
    for (double[] c : centres) {
      double norm = 0;
      for (int d = 0; d < dims; d++) {
        c[d] = gaussian();
        norm += c[d] * c[d];
      }
      norm = Math.sqrt(norm);
      for (int d = 0; d < dims; d++) {
        c[d] *= 3.0 / norm;
      }
    }
  }

  @Override
  public int featureCount() {
    return dims;
  }

  @Override
  public int classCount() {
    return classes;
  }

  @Override
  public Example next() {
    int label = random.nextInt(classes);
    float[] x = new float[dims];
    for (int d = 0; d < dims; d++) {
      x[d] = (float) (centres[label][d] + 0.6 * gaussian());
    }
    if (driftPerExample > 0) {
      for (double[] c : centres) {
        for (int d = 0; d < dims; d++) {
          c[d] += driftPerExample * gaussian();
        }
      }
    }
    return new Example(x, label);
  }

  private double gaussian() {
    // Box-Muller on SplittableRandom, which has no nextGaussian of its own before Java 17's RandomGenerator default.
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
