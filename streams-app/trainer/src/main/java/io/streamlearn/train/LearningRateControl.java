package io.streamlearn.train;

import io.streamlearn.learn.Learner;
import io.streamlearn.learn.ReduceLrOnPlateau;

/**
 * Everything that moves the learning rate during a run: reduce-on-plateau (the engine's {@link
 * ReduceLrOnPlateau}) on the hold-out loss of successive candidates, and the temporary boost after
 * a drift. Its state is part of the
 * checkpoint. Not thread-safe.
 */
final class LearningRateControl {
  private final ReduceLrOnPlateau plateau;
  private int boostLeft;
  private double rateBeforeBoost;

  /**
   * The checkpointed state.
   *
   * @param best the best hold-out loss so far (NaN for none)
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

  /** @param patience candidates without improvement before a reduction; 0 switches it off */
  LearningRateControl(int patience, double factor, double minDelta, double minRate) {
    this.plateau = patience == 0 ? null
        : new ReduceLrOnPlateau(ReduceLrOnPlateau.Mode.MIN, factor, patience, minDelta, 0, minRate);
  }

  State state() {
    ReduceLrOnPlateau.State p = plateau == null ? new ReduceLrOnPlateau.State(Double.NaN, 0, 0) : plateau.state();
    return new State(p.best(), p.sinceImprovement(), boostLeft, rateBeforeBoost);
  }

  void restore(State s) {
    if (plateau != null) {
      plateau.restore(new ReduceLrOnPlateau.State(s.best(), s.patienceUsed(), 0));
    }
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
    if (plateau == null || !Double.isFinite(holdoutLoss) || boostLeft > 0) {
      return false;
    }
    return plateau.update(holdoutLoss, learner);
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
    if (plateau != null) {
      plateau.restore(new ReduceLrOnPlateau.State(Double.NaN, 0, 0));
    }
  }

  /** The base rate: the learner's, or during a drift boost the rate it returns to. */
  double baseRate(Learner learner) {
    return boostLeft > 0 ? rateBeforeBoost : learner.learningRate();
  }

  /**
   * A trainer group's base rate (the publisher's, from a round) becomes this one's: during a boost
   * the boost goes on over the new base, which the boost's end returns to.
   */
  void adoptBase(Learner learner, double base) {
    if (boostLeft > 0) {
      double factor = learner.learningRate() / rateBeforeBoost;
      rateBeforeBoost = base;
      learner.setLearningRate(base * factor);
    } else {
      learner.setLearningRate(base);
    }
  }

  /** Counts one trained batch; ends a boost when its batches are used up. */
  void afterBatch(Learner learner) {
    if (boostLeft > 0 && --boostLeft == 0) {
      learner.setLearningRate(rateBeforeBoost);
    }
  }
}
