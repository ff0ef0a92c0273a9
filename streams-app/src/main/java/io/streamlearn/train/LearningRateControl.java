package io.streamlearn.train;

import io.streamlearn.learn.Learner;

/**
 * Everything that moves the learning rate during a run: reduce-on-plateau on the hold-out loss of
 * successive candidates, and the temporary boost after a drift. Its state is part of the
 * checkpoint. Not thread-safe.
 */
final class LearningRateControl {
  private final int patience;
  private final double factor;
  private final double minDelta;
  private final double minRate;
  private double best = Double.POSITIVE_INFINITY;
  private int wait;
  private int boostLeft;
  private double rateBeforeBoost;

  /**
   * The checkpointed state.
   *
   * @param best the best hold-out loss so far (infinite for none)
   * @param patienceUsed candidates since the last improvement
   * @param boostLeft batches left at the raised rate after a drift, 0 for none
   * @param rateBeforeBoost the rate to return to when the boost ends
   */
  record State(double best, int patienceUsed, int boostLeft, double rateBeforeBoost) {
    State {
      if (patienceUsed < 0 || boostLeft < 0) {
        throw new IllegalArgumentException("patienceUsed and boostLeft must be >= 0, found " + patienceUsed + " and " + boostLeft);
      }
    }
  }

  LearningRateControl(int patience, double factor, double minDelta, double minRate) {
    this.patience = patience;
    this.factor = factor;
    this.minDelta = minDelta;
    this.minRate = minRate;
  }

  State state() {
    return new State(best, wait, boostLeft, rateBeforeBoost);
  }

  void restore(State s) {
    best = s.best();
    wait = s.patienceUsed();
    boostLeft = s.boostLeft();
    rateBeforeBoost = s.rateBeforeBoost();
  }

  /**
   * Observes a candidate's hold-out loss; after {@code patience} candidates without an improvement
   * of at least {@code minDelta} the rate is multiplied by {@code factor} (not below the minimum).
   *
   * @return true when the rate was reduced
   */
  boolean observe(double holdoutLoss, Learner learner) {
    if (patience == 0 || !Double.isFinite(holdoutLoss) || boostLeft > 0) {
      return false;
    }
    if (holdoutLoss < best - minDelta) {
      best = holdoutLoss;
      wait = 0;
      return false;
    }
    if (++wait < patience) {
      return false;
    }
    wait = 0;
    double reduced = Math.max(minRate, learner.learningRate() * factor);
    if (reduced >= learner.learningRate()) {
      return false;
    }
    learner.setLearningRate(reduced);
    return true;
  }

  /** Raises the rate by {@code boost} for {@code batches} batches (a new drift restarts the count). */
  void boost(Learner learner, double boost, int batches) {
    if (boostLeft == 0) {
      rateBeforeBoost = learner.learningRate();
    }
    learner.setLearningRate(rateBeforeBoost * boost);
    boostLeft = batches;
  }

  /** Forgets the best loss, e.g. after a drift made it describe an old concept. */
  void resetPlateau() {
    best = Double.POSITIVE_INFINITY;
    wait = 0;
  }

  /** Counts one trained batch; ends a boost when its batches are used up. */
  void afterBatch(Learner learner) {
    if (boostLeft > 0 && --boostLeft == 0) {
      learner.setLearningRate(rateBeforeBoost);
    }
  }
}
