package io.streamlearn.learn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' {@code ReduceLROnPlateau} as a stream rule: fed a metric at each evaluation (say the hold-out
 * loss every N batches), it multiplies the learner's base learning rate by {@code factor} when the
 * metric has not improved by more than {@code minDelta} for {@code patience} evaluations in a row,
 * then waits {@code cooldown} evaluations before counting again, and never goes below {@code minLr}.
 * Not thread-safe; its {@link State} goes into trainer checkpoints.
 */
public final class ReduceLrOnPlateau {

  private static final Logger LOG = LoggerFactory.getLogger(ReduceLrOnPlateau.class);

  /** Whether smaller ({@link #MIN}, e.g. a loss) or larger ({@link #MAX}, e.g. accuracy) is better. */
  public enum Mode { MIN, MAX }

  /**
   * Progress of the rule, for checkpoints.
   *
   * @param best             best metric seen (NaN before the first evaluation)
   * @param sinceImprovement evaluations since the last improvement
   * @param cooldown         evaluations of cooldown left
   */
  public record State(double best, int sinceImprovement, int cooldown) {
    /** Validates the fields. */
    public State {
      if (sinceImprovement < 0 || cooldown < 0) {
        throw new IllegalArgumentException("sinceImprovement and cooldown must be >= 0, got sinceImprovement="
            + sinceImprovement + " cooldown=" + cooldown);
      }
    }
  }

  private final Mode mode;
  private final double factor;
  private final int patience;
  private final double minDelta;
  private final int cooldownLength;
  private final double minLr;
  private double best = Double.NaN;
  private int wait;
  private int cooldown;

  /**
   * @param mode     which direction is better
   * @param factor   multiplier of the rate on a plateau, in (0, 1)
   * @param patience evaluations without improvement before reducing, >= 1
   * @param minDelta smallest change that counts as an improvement, >= 0
   * @param cooldown evaluations to wait after a reduction, >= 0
   * @param minLr    floor of the rate, >= 0
   */
  public ReduceLrOnPlateau(Mode mode, double factor, int patience, double minDelta, int cooldown, double minLr) {
    if (mode == null) {
      throw new IllegalArgumentException("mode must not be null");
    }
    if (!(factor > 0.0 && factor < 1.0)) {
      throw new IllegalArgumentException("factor must be in (0, 1), got " + factor);
    }
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be >= 1, got " + patience);
    }
    if (!(minDelta >= 0.0)) {
      throw new IllegalArgumentException("minDelta must be >= 0, got " + minDelta);
    }
    if (cooldown < 0) {
      throw new IllegalArgumentException("cooldown must be >= 0, got " + cooldown);
    }
    if (!(minLr >= 0.0)) {
      throw new IllegalArgumentException("minLr must be >= 0, got " + minLr);
    }
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.cooldownLength = cooldown;
    this.minLr = minLr;
  }

  /** Keras' defaults on a loss: factor 0.1, patience 10, minDelta 1e-4, no cooldown, no floor. */
  public static ReduceLrOnPlateau onLoss() {
    return new ReduceLrOnPlateau(Mode.MIN, 0.1, 10, 1e-4, 0, 0.0);
  }

  /**
   * Records one evaluation of the metric and returns the learning rate to use from now on:
   * {@code currentLr} or, on a plateau, {@code max(currentLr * factor, minLr)}. A NaN metric counts as
   * no improvement.
   */
  public double update(double metric, double currentLr) {
    if (cooldown > 0) {
      cooldown--;
      wait = 0;
    }
    if (isImprovement(metric)) {
      best = metric;
      wait = 0;
      return currentLr;
    }
    if (cooldown > 0) {
      return currentLr;
    }
    wait++;
    if (wait >= patience) {
      double reduced = Math.max(currentLr * factor, minLr);
      wait = 0;
      cooldown = cooldownLength;
      if (reduced < currentLr) {
        LOG.info("metric plateaued at best {}; learning rate {} -> {}", best, currentLr, reduced);
      }
      return reduced;
    }
    return currentLr;
  }

  /** {@link #update(double, double)} applied to a learner's base learning rate; returns true if it was reduced. */
  public boolean update(double metric, Learner learner) {
    double current = learner.learningRate();
    double next = update(metric, current);
    if (next < current) {
      learner.setLearningRate(next);
      return true;
    }
    return false;
  }

  private boolean isImprovement(double metric) {
    if (Double.isNaN(metric)) {
      return false;
    }
    if (Double.isNaN(best)) {
      return true;
    }
    return mode == Mode.MIN ? metric < best - minDelta : metric > best + minDelta;
  }

  /** The progress, for a checkpoint. */
  public State state() {
    return new State(best, wait, cooldown);
  }

  /** Continues from a checkpointed state. */
  public void restore(State state) {
    if (state == null) {
      throw new IllegalArgumentException("state must not be null");
    }
    best = state.best();
    wait = state.sinceImprovement();
    cooldown = state.cooldown();
  }
}
