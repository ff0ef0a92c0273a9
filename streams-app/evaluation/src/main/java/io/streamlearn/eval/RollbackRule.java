package io.streamlearn.eval;

import io.streamlearn.config.Checks;

/**
 * When the evaluation moves an alias back on its own ({@link RollbackGuard}), read once from the
 * {@code auto.rollback*} keys, and the sequential test it decides with ({@link #decide}).
 *
 * <p>The test is Wald's one-sided SPRT on the new version's error rate {@code p}, a Bernoulli
 * parameter, against the predecessor's served error rate {@code e}: H0 {@code p = e + margin}
 * (no worse than the predecessor beyond a tolerated margin) against H1 {@code p = e + delta}
 * (worse by {@code delta}). After {@code n} leak-free classifications with {@code k} errors,
 *
 * <pre>
 *   LLR = k ln(p1/p0) + (n - k) ln((1 - p1)/(1 - p0)),   p0 = e + margin, p1 = e + delta
 *   roll back     when n >= minEvents and LLR >= ln((1 - beta)/alpha)
 *   keep (done)   when n >= minEvents and LLR <= ln(beta/(1 - alpha))
 * </pre>
 *
 * <p>By Wald's bounds the chance of rolling back a version whose error rate is at most {@code
 * e + margin} is at most {@code alpha/(1 - beta)}, and the chance of keeping one at {@code e + delta}
 * or worse at most {@code beta/(1 - alpha)}. The predecessor's rate is not known but estimated from
 * its {@code m >= minEvents} evaluations, so {@code e} is taken at the one-sided upper confidence
 * bound {@link #predecessorError}: {@code ê + z(1 - alpha) sqrt(ê(1 - ê)/m)}. It understates the
 * true rate with chance at most about {@code alpha}, so a version as good as its predecessor is
 * rolled back with chance at most about {@code alpha/(1 - beta) + alpha} (docs/evaluation.md; the
 * seeded simulations of {@code RollbackRuleTest} check these rates).
 *
 * @param enabled whether the rule acts at all ({@code --auto-rollback false} turns it off)
 * @param alpha the tolerated rate of false rollbacks, in (0, 0.5)
 * @param beta the tolerated rate of keeping a version that is worse by delta, in (0, 0.5)
 * @param margin how much worse than its predecessor a version may serve and still count as good, >= 0
 * @param delta how much worse counts as broken, > margin
 * @param minEvents leak-free labeled evaluations needed of each version before a decision, >= 1
 */
public record RollbackRule(boolean enabled, double alpha, double beta, double margin, double delta,
                           long minEvents) {
  /** Validates. */
  public RollbackRule {
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("alpha must be in (0, 0.5), found " + alpha);
    }
    if (!(beta > 0 && beta < 0.5)) {
      throw new IllegalArgumentException("beta must be in (0, 0.5), found " + beta);
    }
    if (!(margin >= 0 && margin < 1)) {
      throw new IllegalArgumentException("margin must be in [0, 1), found " + margin);
    }
    if (!(delta > margin && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (margin, 1), found " + delta);
    }
    Checks.atLeast("minEvents", minEvents, 1);
  }

  /** What the test says so far. */
  public enum Verdict { CONTINUE, ROLL_BACK, KEEP }

  /**
   * The evidence after {@code n} evaluations of the new version with {@code errors} wrong, against
   * the predecessor's error rate {@code oldError}.
   *
   * @param n leak-free classifications of the new version
   * @param errors the wrong ones among them
   * @param oldError the predecessor's served error rate
   * @param llr the log-likelihood ratio of H1 against H0
   * @param upper the rollback threshold ln((1 - beta)/alpha)
   * @param lower the keep threshold ln(beta/(1 - alpha))
   * @param verdict the decision
   */
  public record Evidence(long n, long errors, double oldError, double llr, double upper, double lower,
                         Verdict verdict) {
    /** The new version's observed error rate. */
    public double newError() {
      return n == 0 ? Double.NaN : (double) errors / n;
    }
  }

  /** The SPRT's verdict; {@code oldError} in [0, 1]. */
  public Evidence decide(long n, long errors, double oldError) {
    if (errors < 0 || errors > n) {
      throw new IllegalArgumentException("errors must be in [0, n=" + n + "], found " + errors);
    }
    // Keep both hypotheses strictly inside (0, 1): a perfect predecessor still leaves room for a test.
    double p0 = clamp(oldError + margin);
    double p1 = clamp(oldError + delta);
    double upper = Math.log((1 - beta) / alpha);
    double lower = Math.log(beta / (1 - alpha));
    double llr = p1 <= p0 ? 0 : errors * Math.log(p1 / p0) + (n - errors) * Math.log((1 - p1) / (1 - p0));
    Verdict v = Verdict.CONTINUE;
    if (p1 > p0 && n >= minEvents) {
      if (llr >= upper) {
        v = Verdict.ROLL_BACK;
      } else if (llr <= lower) {
        v = Verdict.KEEP;
      }
    }
    return new Evidence(n, errors, oldError, llr, upper, lower, v);
  }

  /**
   * The predecessor's error rate for the test: the one-sided {@code 1 - alpha} upper confidence
   * bound (normal approximation) of {@code errors/n}; the variance is floored at {@code 1/n} so a
   * predecessor with no error still leaves room for chance.
   */
  public double predecessorError(long errors, long n) {
    if (n < 1 || errors < 0 || errors > n) {
      throw new IllegalArgumentException("need 0 <= errors <= n and n >= 1, found errors=" + errors + " n=" + n);
    }
    double e = (double) errors / n;
    return Math.min(1, e + normalQuantile(1 - alpha) * Math.sqrt(Math.max(e * (1 - e), 1.0 / n) / n));
  }

  /**
   * The standard normal quantile for {@code p} in [0.5, 1): Abramowitz and Stegun 26.2.23, absolute
   * error below 4.5e-4, plenty for a confidence bound.
   */
  static double normalQuantile(double p) {
    if (!(p >= 0.5 && p < 1)) {
      throw new IllegalArgumentException("p must be in [0.5, 1), found " + p);
    }
    double t = Math.sqrt(-2 * Math.log(1 - p));
    return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t
        + 0.001308 * t * t * t);
  }

  private static double clamp(double p) {
    return Math.min(1 - 1e-6, Math.max(1e-6, p));
  }
}
