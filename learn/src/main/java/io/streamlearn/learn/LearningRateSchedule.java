package io.streamlearn.learn;

import java.util.List;

/**
 * A learning-rate schedule as a function of the optimizer step: the rate used at step {@code t}
 * (0-based) is {@code base * factor(t)}.
 *
 * <ul>
 *   <li>{@link Kind#CONSTANT}: factor 1.</li>
 *   <li>{@link Kind#STEP}: multiplied by {@code gamma} every {@code period} steps
 *       ({@code gamma^floor(t/period)}).</li>
 *   <li>{@link Kind#EXPONENTIAL}: {@code gamma^(t/period)}, a smooth decay.</li>
 *   <li>{@link Kind#COSINE}: cosine annealing from 1 down to {@code minFactor} over {@code period}
 *       steps, then held at {@code minFactor}.</li>
 * </ul>
 *
 * @param kind      the shape of the schedule
 * @param period    steps per decay (STEP, EXPONENTIAL) or the length of the annealing (COSINE); >= 1
 * @param gamma     decay factor in {@code (0, 1]} for STEP and EXPONENTIAL
 * @param minFactor floor of the COSINE schedule in {@code [0, 1]}
 */
public record LearningRateSchedule(Kind kind, long period, double gamma, double minFactor) {

  /** Shape of a schedule. */
  public enum Kind { CONSTANT, STEP, EXPONENTIAL, COSINE }

  /** The constant schedule. */
  public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Kind.CONSTANT, 1, 1.0, 1.0);

  /** Validates the fields. */
  public LearningRateSchedule {
    if (kind == null) {
      throw new IllegalArgumentException("kind must not be null");
    }
    if (period < 1) {
      throw new IllegalArgumentException("period must be >= 1, got " + period);
    }
    if (!(gamma > 0.0 && gamma <= 1.0)) {
      throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
    }
    if (!(minFactor >= 0.0 && minFactor <= 1.0)) {
      throw new IllegalArgumentException("minFactor must be in [0, 1], got " + minFactor);
    }
  }

  /** Multiply the rate by {@code gamma} every {@code period} steps. */
  public static LearningRateSchedule step(long period, double gamma) {
    return new LearningRateSchedule(Kind.STEP, period, gamma, 1.0);
  }

  /** Smooth exponential decay: {@code gamma^(t/period)}. */
  public static LearningRateSchedule exponential(long period, double gamma) {
    return new LearningRateSchedule(Kind.EXPONENTIAL, period, gamma, 1.0);
  }

  /** Cosine annealing to {@code minFactor} over {@code period} steps. */
  public static LearningRateSchedule cosine(long period, double minFactor) {
    return new LearningRateSchedule(Kind.COSINE, period, 1.0, minFactor);
  }

  /** The multiplier of the base rate at 0-based step {@code step}. */
  public double factor(long step) {
    switch (kind) {
      case CONSTANT:
        return 1.0;
      case STEP:
        return Math.pow(gamma, (double) (step / period));
      case EXPONENTIAL:
        return Math.pow(gamma, (double) step / period);
      case COSINE:
        double progress = Math.min(1.0, (double) step / period);
        return minFactor + (1.0 - minFactor) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
      default:
        throw new IllegalStateException("unhandled schedule kind " + kind);
    }
  }

  /** Compact text form, e.g. {@code step(1000,0.5)}. */
  public String text() {
    switch (kind) {
      case CONSTANT:
        return "constant";
      case STEP:
        return "step(" + period + "," + gamma + ")";
      case EXPONENTIAL:
        return "exponential(" + period + "," + gamma + ")";
      default:
        return "cosine(" + period + "," + minFactor + ")";
    }
  }

  /**
   * Parses {@code constant}, {@code step(period,gamma)}, {@code exponential(period,gamma)} or
   * {@code cosine(period[,minFactor])}.
   *
   * @throws IllegalArgumentException naming the bad schedule
   */
  public static LearningRateSchedule parse(String text) {
    ConfigText t = ConfigText.parse("schedule", text);
    String what = "schedule '" + text + "'";
    List<String> args = t.positional;
    if (!t.named.isEmpty()) {
      throw new IllegalArgumentException(what + ": arguments are positional, e.g. step(1000,0.5)");
    }
    switch (t.name) {
      case "constant":
        if (!args.isEmpty()) {
          throw new IllegalArgumentException(what + ": constant takes no arguments");
        }
        return CONSTANT;
      case "step":
      case "exponential":
        if (args.size() != 2) {
          throw new IllegalArgumentException(what + ": expected " + t.name + "(period,gamma)");
        }
        long period = (long) ConfigText.number(what, "period", args.get(0));
        double gamma = ConfigText.number(what, "gamma", args.get(1));
        return t.name.equals("step") ? step(period, gamma) : exponential(period, gamma);
      case "cosine":
        if (args.isEmpty() || args.size() > 2) {
          throw new IllegalArgumentException(what + ": expected cosine(period[,minFactor])");
        }
        return cosine((long) ConfigText.number(what, "period", args.get(0)),
            args.size() == 2 ? ConfigText.number(what, "minFactor", args.get(1)) : 0.0);
      default:
        throw new IllegalArgumentException("unknown schedule '" + t.name + "' in '" + text
            + "' (expected constant, step, exponential or cosine)");
    }
  }
}
