package io.streamlearn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads Fashion-MNIST (or MNIST) from its four IDX files, plain or gzipped. */
public final class FashionMnist {

  /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
  public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

  private FashionMnist() {
  }

  /** True if the default directory holds the training images. */
  public static boolean availableAt(Path dir) {
    return find(dir, "train-images-idx3-ubyte") != null;
  }

  /**
   * Loads the training (60,000) or test (10,000) split: pixels scaled to [0, 1], file order.
   *
   * @throws IllegalArgumentException naming the missing file if {@code dir} lacks one
   * @throws UncheckedIOException     if a file cannot be read or is malformed
   */
  public static Dataset load(Path dir, boolean train) {
    String prefix = train ? "train" : "t10k";
    Path images = require(dir, prefix + "-images-idx3-ubyte");
    Path labels = require(dir, prefix + "-labels-idx1-ubyte");
    try {
      Idx.Array img = Idx.read(images);
      Idx.Array lab = Idx.read(labels);
      int[] dims = img.dims();
      if (dims.length != 3 || lab.dims().length != 1 || lab.dims()[0] != dims[0]) {
        throw new IOException("images " + java.util.Arrays.toString(dims) + " and labels "
            + java.util.Arrays.toString(lab.dims()) + " do not match in " + dir);
      }
      int rows = dims[0];
      int cols = dims[1] * dims[2];
      byte[] pixels = img.data();
      float[] features = new float[rows * cols];
      for (int k = 0; k < features.length; k++) {
        features[k] = (pixels[k] & 0xFF) / 255f;
      }
      byte[] labelBytes = lab.data();
      int[] y = new int[rows];
      for (int r = 0; r < rows; r++) {
        y[r] = labelBytes[r] & 0xFF;
      }
      return new Dataset(features, y, rows, cols);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Fashion-MNIST from " + dir, e);
    }
  }

  private static Path require(Path dir, String base) {
    Path found = find(dir, base);
    if (found == null) {
      throw new IllegalArgumentException("missing file " + dir.resolve(base + ".gz") + " (or " + base
          + "); install Debian's dataset-fashion-mnist package or give the directory holding the IDX files");
    }
    return found;
  }

  private static Path find(Path dir, String base) {
    for (String name : new String[] {base + ".gz", base}) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }
}
