package io.streamlearn.learn.drift;

/**
 * The population stability index of an observed histogram against a reference one over the same
 * bins: {@code PSI = sum_i (a_i - e_i) * ln(a_i / e_i)}, where {@code e_i} and {@code a_i} are the
 * reference's and the observed share of bin {@code i}. An empty bin would make the logarithm
 * infinite, so each share is floored at {@link #FLOOR} first (the usual practice; the floor bounds
 * one bin's term by about {@code 9.2 * |a_i - e_i|}). Rules of thumb: below 0.1 no shift, 0.1 to
 * 0.2 a moderate one, 0.2 and above a significant shift.
 */
public final class Psi {
  /** The smallest share a bin counts with (an empty bin counts as this). */
  public static final double FLOOR = 1e-4;

  private Psi() {}

  /**
   * The PSI of {@code observed} counts against {@code reference} counts, bin by bin.
   *
   * @throws IllegalArgumentException when the lengths differ or either histogram is empty
   */
  public static double of(long[] reference, long[] observed) {
    if (reference.length != observed.length || reference.length == 0) {
      throw new IllegalArgumentException("need histograms of the same bins, found " + reference.length + " and "
          + observed.length);
    }
    double e = total(reference, "reference");
    double a = total(observed, "observed");
    double psi = 0;
    for (int i = 0; i < reference.length; i++) {
      double ei = Math.max(reference[i] / e, FLOOR);
      double ai = Math.max(observed[i] / a, FLOOR);
      psi += (ai - ei) * Math.log(ai / ei);
    }
    return psi;
  }

  private static double total(long[] counts, String what) {
    long sum = 0;
    for (long c : counts) {
      if (c < 0) {
        throw new IllegalArgumentException(what + " counts must be >= 0, found " + c);
      }
      sum += c;
    }
    if (sum == 0) {
      throw new IllegalArgumentException(what + " histogram is empty");
    }
    return sum;
  }
}
