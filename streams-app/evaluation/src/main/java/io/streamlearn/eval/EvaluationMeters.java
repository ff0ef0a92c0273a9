package io.streamlearn.eval;

import io.streamlearn.schema.Evaluation;

/**
 * What the evaluation tells its operator, as it happens: called by {@link RollbackGuard} on the
 * stream threads, which see every evaluation of an alias in one task. Implementations must be
 * thread-safe and cheap; {@link #NONE} records nothing (tests, and the topology built alone).
 */
public interface EvaluationMeters {
  /** Records nothing. */
  EvaluationMeters NONE = new EvaluationMeters() {
    @Override
    public void evaluated(Evaluation e, double servedAccuracy) {}

    @Override
    public void rolledBack(String model, String alias, long version) {}
  };

  /**
   * One evaluation, and the all-time served (leak-free) accuracy of its version under its alias
   * with it counted; NaN before any leak-free classification.
   */
  void evaluated(Evaluation e, double servedAccuracy);

  /** The guard moved {@code model@alias} back from {@code version}. */
  void rolledBack(String model, String alias, long version);
}
