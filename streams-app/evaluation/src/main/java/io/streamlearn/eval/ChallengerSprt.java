package io.streamlearn.eval;

/**
 * Wald's sequential probability ratio test on the discordant pairs of a paired comparison, live
 * against a challenger on the same events. Of the pairs where exactly one side is right, {@code b}
 * are live's and {@code c} the challenger's; {@code p = c / (b + c)} estimates the chance that the
 * challenger is the one right when the two disagree.
 *
 * <ul>
 *   <li>H0 "not better": {@code p = 0.5} (same quality; any {@code p < 0.5} is rejected even more
 *       surely);
 *   <li>H1 "challenger better": {@code p = 0.5 + delta}.
 * </ul>
 *
 * <p>The log-likelihood ratio after {@code b} and {@code c} discordant pairs is {@code
 * c ln(2 p1) + b ln(2 (1 - p1))} with {@code p1 = 0.5 + delta}. The test decides "better" when it
 * reaches {@code ln((1 - beta) / alpha)} and "not better" when it falls to {@code ln(beta / (1 -
 * alpha))}; in between it is undecided and takes the next pair. Because the boundaries are
 * Wald's, looking after every pair is the design, not a multiple-testing error: the chance of ever
 * deciding "better" when {@code p = 0.5} is at most {@code alpha / (1 - beta)} (about {@code
 * alpha}, less with the overshoot of a discrete walk), and of deciding "not better" when {@code p
 * = 0.5 + delta} at most {@code beta / (1 - alpha)}. Concordant pairs carry no information on
 * which side is better and do not move the ratio.
 *
 * @param alpha the false-promotion rate wanted, in (0, 0.5)
 * @param beta the rate of missing a challenger {@code delta} better, in (0, 0.5)
 * @param delta how much better than a coin the challenger must be when the two disagree, in (0, 0.5)
 */
public record ChallengerSprt(double alpha, double beta, double delta) {
  /** What the test says so far. */
  public enum Verdict {
    /** Neither boundary reached: more pairs needed. */
    UNDECIDED,
    /** The upper boundary reached: H1, the challenger is better. */
    CHALLENGER_BETTER,
    /** The lower boundary reached: H0, the challenger is not better. */
    NOT_BETTER
  }

  /** Validates. */
  public ChallengerSprt {
    check("alpha", alpha);
    check("beta", beta);
    check("delta", delta);
  }

  private static void check(String name, double value) {
    if (!(value > 0 && value < 0.5)) {
      throw new IllegalArgumentException(name + " must be in (0, 0.5), found " + value);
    }
  }

  /** The log-likelihood ratio of H1 against H0 after {@code b} live-only and {@code c} challenger-only wins. */
  public double logLikelihoodRatio(long b, long c) {
    if (b < 0 || c < 0) {
      throw new IllegalArgumentException("b and c must be >= 0, found " + b + " and " + c);
    }
    double p1 = 0.5 + delta;
    return c * Math.log(2 * p1) + b * Math.log(2 * (1 - p1));
  }

  /** The boundary at or above which the challenger is better: {@code ln((1 - beta) / alpha)}. */
  public double upper() {
    return Math.log((1 - beta) / alpha);
  }

  /** The boundary at or below which the challenger is not better: {@code ln(beta / (1 - alpha))}. */
  public double lower() {
    return Math.log(beta / (1 - alpha));
  }

  /** The verdict of a log-likelihood ratio. */
  public Verdict verdict(double llr) {
    return llr >= upper() ? Verdict.CHALLENGER_BETTER : llr <= lower() ? Verdict.NOT_BETTER : Verdict.UNDECIDED;
  }

  /** The verdict after {@code b} and {@code c} discordant pairs, looked at once. */
  public Verdict verdict(long b, long c) {
    return verdict(logLikelihoodRatio(b, c));
  }
}
