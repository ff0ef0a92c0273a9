package io.streamlearn.testkit.gen;

import java.util.Locale;

/** An endless, seeded stream of labeled examples. Not thread-safe. */
public interface StreamGenerator {
  /** Length of every feature vector. */
  int featureCount();

  /** Number of classes; labels are in {@code [0, classCount)}. */
  int classCount();

  /** The next example. */
  Example next();

  /**
   * A generator by name: {@code blobs} (default of the demo: 10 drifting Gaussian blobs in 16
   * dimensions), {@code hyperplane} (rotating hyperplane, 10 dimensions, gradual drift),
   * {@code sea} (SEA concepts, abrupt drift every 25,000 examples).
   */
  static StreamGenerator named(String name, long seed) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "blobs" -> new GaussianBlobs(10, 16, seed, 0.0005);
      case "hyperplane" -> new RotatingHyperplane(10, seed, 0.001, 0.0);
      case "sea" -> new Sea(seed, 25_000, 0.0);
      default -> throw new IllegalArgumentException(
          "unknown generator '" + name + "' (known: blobs, hyperplane, sea)");
    };
  }
}
