package io.streamlearn.learn.drift;

import java.util.Arrays;
import java.util.Locale;

/**
 * A frozen reference sketch of a model's training inputs: for each of the first {@code
 * cuts.length} input columns, a fixed-bin histogram whose bins are cut at {@code cuts[f]} (ascending,
 * {@code bins - 1} cut points, so the two outer bins are open-ended and every finite value falls in a
 * bin) and the count of training examples in each bin. Columns past the sketched ones ({@code
 * features - cuts.length}) are unsketched and named so by {@link #unsketched()}.
 *
 * <p>A version carries it as text ({@link #toText()}), one line per sketched column, so it reads in
 * any registry view (inline or chunked) without assembling tensors.
 *
 * @param features the input width of the model (sketched or not), >= 1
 * @param cuts per sketched column, its ascending cut points, all of one length {@code bins - 1}
 * @param counts per sketched column, the training examples per bin ({@code bins} each)
 */
public record FeatureReference(int features, float[][] cuts, long[][] counts) {
  /**
   * The model-version annotation that carries {@link #toText()}: an annotation, not a tensor, so it
   * needs no schema change, stays out of the weights' checksum, the inference model and the ONNX
   * export, and reads from a chunked version's manifest alone.
   */
  public static final String ANNOTATION = "reference.sketch";
  /** The first line of {@link #toText()}, with the text format's version. */
  static final String HEADER = "reference 1";

  /** Validates and copies. */
  public FeatureReference {
    if (features < 1) {
      throw new IllegalArgumentException("features must be >= 1, found " + features);
    }
    if (cuts == null || counts == null || cuts.length != counts.length || cuts.length > features) {
      throw new IllegalArgumentException("need as many cut rows as count rows, at most features (" + features
          + "), found " + (cuts == null ? null : cuts.length) + " and " + (counts == null ? null : counts.length));
    }
    float[][] c = new float[cuts.length][];
    long[][] n = new long[counts.length][];
    for (int f = 0; f < cuts.length; f++) {
      c[f] = cuts[f].clone();
      n[f] = counts[f].clone();
      if (n[f].length != c[f].length + 1 || n[f].length != n[0].length || n[f].length < 2) {
        throw new IllegalArgumentException("feature " + f + ": need bins >= 2, one more count than cuts and"
            + " the same bins for every feature, found " + c[f].length + " cuts and " + n[f].length + " counts");
      }
      for (int i = 1; i < c[f].length; i++) {
        if (!(c[f][i] >= c[f][i - 1])) {
          throw new IllegalArgumentException("feature " + f + ": cuts must ascend, found " + Arrays.toString(c[f]));
        }
      }
      for (long k : n[f]) {
        if (k < 0) {
          throw new IllegalArgumentException("feature " + f + ": counts must be >= 0, found " + Arrays.toString(n[f]));
        }
      }
    }
    cuts = c;
    counts = n;
  }

  /** How many columns are sketched (the first ones). */
  public int sketched() {
    return cuts.length;
  }

  /** Bins per sketched column (0 when none is sketched). */
  public int bins() {
    return counts.length == 0 ? 0 : counts[0].length;
  }

  /** The columns beyond the cap, not sketched, as {@code [from, until)}; empty when all are. */
  public int[] unsketched() {
    return new int[] {sketched(), features};
  }

  /** The bin of value {@code x} in column {@code f}: the number of cut points at or below it. */
  public int bin(int f, float x) {
    return bin(cuts[f], x);
  }

  static int bin(float[] cuts, float x) {
    int lo = 0;
    int hi = cuts.length;
    while (lo < hi) { // first cut strictly above x
      int mid = (lo + hi) >>> 1;
      if (cuts[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** A copy of column {@code f}'s counts. */
  public long[] counts(int f) {
    return counts[f].clone();
  }

  /** Training examples in the sketch (those of column 0; every column counts every example). */
  public long examples() {
    return counts.length == 0 ? 0 : Arrays.stream(counts[0]).sum();
  }

  /** The text a version carries: a header line, {@code features sketched bins}, then {@code cuts|counts} per column. */
  public String toText() {
    StringBuilder b = new StringBuilder(HEADER).append('\n')
        .append(features).append(' ').append(sketched()).append(' ').append(bins()).append('\n');
    for (int f = 0; f < cuts.length; f++) {
      for (int i = 0; i < cuts[f].length; i++) {
        b.append(i == 0 ? "" : ",").append(Float.toString(cuts[f][i]));
      }
      b.append('|');
      for (int i = 0; i < counts[f].length; i++) {
        b.append(i == 0 ? "" : ",").append(counts[f][i]);
      }
      b.append('\n');
    }
    return b.toString();
  }

  /**
   * Reads {@link #toText()}.
   *
   * @throws IllegalArgumentException when the text is not a reference of a known format
   */
  public static FeatureReference parse(String text) {
    String[] lines = text.split("\n");
    if (lines.length < 2 || !lines[0].equals(HEADER)) {
      throw new IllegalArgumentException("not a feature reference (expected '" + HEADER + "' first): "
          + text.substring(0, Math.min(40, text.length())));
    }
    try {
      String[] head = lines[1].trim().split(" ");
      int features = Integer.parseInt(head[0]);
      int sketched = Integer.parseInt(head[1]);
      if (lines.length != 2 + sketched) {
        throw new IllegalArgumentException("feature reference announces " + sketched + " columns, holds "
            + (lines.length - 2));
      }
      float[][] cuts = new float[sketched][];
      long[][] counts = new long[sketched][];
      for (int f = 0; f < sketched; f++) {
        String[] parts = lines[2 + f].split("\\|", -1);
        cuts[f] = parts[0].isEmpty() ? new float[0] : toFloats(parts[0].split(","));
        counts[f] = Arrays.stream(parts[1].split(",")).mapToLong(Long::parseLong).toArray();
      }
      return new FeatureReference(features, cuts, counts);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException && !(e instanceof NumberFormatException)) {
        throw e;
      }
      throw new IllegalArgumentException("unreadable feature reference: " + e.getMessage(), e);
    }
  }

  private static float[] toFloats(String[] s) {
    float[] out = new float[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = Float.parseFloat(s[i]);
    }
    return out;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "FeatureReference[%d features, %d sketched, %d bins, %d examples]",
        features, sketched(), bins(), examples());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureReference r && r.features == features && Arrays.deepEquals(r.cuts, cuts)
        && Arrays.deepEquals(r.counts, counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.deepHashCode(cuts) + Arrays.deepHashCode(counts) + features;
  }
}
