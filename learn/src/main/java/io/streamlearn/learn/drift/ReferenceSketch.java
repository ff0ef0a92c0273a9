package io.streamlearn.learn.drift;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Accumulates the reference sketch of a trainer's inputs ({@link FeatureReference}): per input
 * column up to {@code maxFeatures}, a histogram of {@code bins} bins over every example trained
 * since the model started.
 *
 * <p>The bins must not move, or a histogram of served inputs could not be compared with it: their
 * cut points are the {@code 1/bins, ..., (bins-1)/bins} quantiles of the first {@code warmup}
 * examples (fixed earlier, from what there is, when a version is published before that), and the
 * warm-up examples are then counted like the rest. Until then the warm-up rows are kept (at most
 * {@code warmup x maxFeatures} floats, in the checkpoint too), so a killed trainer resumes the same
 * sketch. Non-finite values are not counted. Not thread-safe.
 */
public final class ReferenceSketch {
  /** Default bins per column. */
  public static final int DEFAULT_BINS = 10;
  /** Default cap on the sketched columns. */
  public static final int DEFAULT_MAX_FEATURES = 64;
  /** Default warm-up examples whose quantiles cut the bins. */
  public static final int DEFAULT_WARMUP = 500;
  private static final int MAGIC = 0x534B4554; // "SKET"
  private static final int FORMAT = 1;

  private final int features;
  private final int sketched;
  private final int bins;
  private final int warmup;
  private float[][] warm; // [row][column], until the cuts are fixed
  private int warmRows;
  private float[][] cuts; // null until fixed
  private long[][] counts;

  /**
   * @param features the input width, >= 1
   * @param bins bins per column, >= 2
   * @param maxFeatures the cap on sketched columns (the first ones), >= 0
   * @param warmup examples whose quantiles cut the bins, >= 1
   */
  public ReferenceSketch(int features, int bins, int maxFeatures, int warmup) {
    if (features < 1 || bins < 2 || maxFeatures < 0 || warmup < 1) {
      throw new IllegalArgumentException("need features >= 1, bins >= 2, maxFeatures >= 0 and warmup >= 1, found "
          + features + ", " + bins + ", " + maxFeatures + " and " + warmup);
    }
    this.features = features;
    this.sketched = Math.min(features, maxFeatures);
    this.bins = bins;
    this.warmup = warmup;
    this.warm = new float[warmup][];
  }

  /** Adds {@code rows} examples of {@code x}, row-major with {@link #features()} columns. */
  public void add(float[] x, int rows) {
    if (x.length < rows * features) {
      throw new IllegalArgumentException("need " + rows + " x " + features + " values, found " + x.length);
    }
    for (int r = 0; r < rows; r++) {
      int at = r * features;
      if (cuts == null) {
        warm[warmRows++] = Arrays.copyOfRange(x, at, at + sketched);
        if (warmRows == warmup) {
          fixCuts();
        }
      } else {
        count(x, at);
      }
    }
  }

  /** The input width. */
  public int features() {
    return features;
  }

  /** Whether the cut points are fixed. */
  public boolean fixed() {
    return cuts != null;
  }

  /**
   * The sketch as it stands, for a version; fixes the cut points from the warm-up rows seen if they
   * are not fixed yet. Null when no example has been seen.
   */
  public FeatureReference reference() {
    if (cuts == null) {
      if (warmRows == 0) {
        return null;
      }
      fixCuts();
    }
    return new FeatureReference(features, cuts, counts);
  }

  private void fixCuts() {
    cuts = new float[sketched][bins - 1];
    counts = new long[sketched][bins];
    float[] column = new float[warmRows];
    for (int f = 0; f < sketched; f++) {
      int n = 0;
      for (int r = 0; r < warmRows; r++) {
        if (Float.isFinite(warm[r][f])) {
          column[n++] = warm[r][f];
        }
      }
      Arrays.sort(column, 0, n);
      for (int i = 1; i < bins; i++) { // the (i/bins) quantile, nearest rank; 0 for a column with no finite value
        cuts[f][i - 1] = n == 0 ? 0f : column[Math.min(n - 1, (int) Math.ceil((double) i * n / bins) - 1)];
      }
    }
    for (int r = 0; r < warmRows; r++) {
      count(warm[r], 0);
    }
    warm = null;
    warmRows = 0;
  }

  private void count(float[] row, int at) {
    for (int f = 0; f < sketched; f++) {
      float v = row[at + f];
      if (Float.isFinite(v)) {
        counts[f][FeatureReference.bin(cuts[f], v)]++;
      }
    }
  }

  /** The sketch's state (settings, warm-up rows or cuts and counts) as bytes, for a checkpoint. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeInt(features);
      out.writeInt(sketched);
      out.writeInt(bins);
      out.writeInt(warmup);
      out.writeBoolean(cuts != null);
      if (cuts == null) {
        out.writeInt(warmRows);
        for (int r = 0; r < warmRows; r++) {
          for (float v : warm[r]) {
            out.writeFloat(v);
          }
        }
      } else {
        for (int f = 0; f < sketched; f++) {
          for (float c : cuts[f]) {
            out.writeFloat(c);
          }
          for (long k : counts[f]) {
            out.writeLong(k);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads {@link #toBytes()}.
   *
   * @throws IllegalArgumentException when the bytes are not a sketch
   */
  public static ReferenceSketch fromBytes(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
        throw new IllegalArgumentException("not a reference sketch of format " + FORMAT);
      }
      int features = in.readInt();
      int sketched = in.readInt();
      int bins = in.readInt();
      int warmup = in.readInt();
      ReferenceSketch s = new ReferenceSketch(features, bins, sketched, warmup);
      if (s.sketched != sketched) {
        throw new IllegalArgumentException("sketch of " + sketched + " columns on " + features + " features");
      }
      if (!in.readBoolean()) {
        int rows = in.readInt();
        if (rows < 0 || rows >= warmup) {
          throw new IllegalArgumentException("sketch holds " + rows + " warm-up rows, warm-up " + warmup);
        }
        for (int r = 0; r < rows; r++) {
          float[] row = new float[sketched];
          for (int f = 0; f < sketched; f++) {
            row[f] = in.readFloat();
          }
          s.warm[s.warmRows++] = row;
        }
      } else {
        s.cuts = new float[sketched][bins - 1];
        s.counts = new long[sketched][bins];
        for (int f = 0; f < sketched; f++) {
          for (int i = 0; i < bins - 1; i++) {
            s.cuts[f][i] = in.readFloat();
          }
          for (int i = 0; i < bins; i++) {
            s.counts[f][i] = in.readLong();
          }
        }
        s.warm = null;
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException(in.available() + " trailing bytes after the sketch");
      }
      return s;
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated reference sketch: " + e, e);
    }
  }
}
