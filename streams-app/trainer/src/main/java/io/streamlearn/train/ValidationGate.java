package io.streamlearn.train;

import io.streamlearn.registry.Signature;

/**
 * The validation gate: a candidate version is published only when its hold-out metric is not worse
 * than the live version's by more than a margin. Classification compares accuracy (absolute
 * margin), regression the mean squared error (margin as a fraction of the live error).
 */
final class ValidationGate {
  private final Signature.Task task;
  private final double margin;
  private final int minExamples;

  /** A verdict with its reason, for the PUBLISHED or REJECTED record. */
  record Verdict(boolean publish, String reason) {}

  ValidationGate(Signature.Task task, double margin, int minExamples) {
    this.task = task;
    this.margin = margin;
    this.minExamples = minExamples;
  }

  /**
   * Judges a candidate against the live version, both scored on the same hold-out examples.
   *
   * @param live the live version's score, or {@code null} when nothing is live yet
   */
  Verdict judge(HoldOut.Score candidate, HoldOut.Score live) {
    if (!Double.isFinite(candidate.loss()) && candidate.examples() > 0) {
      return new Verdict(false, "candidate hold-out loss is " + candidate.loss());
    }
    if (live == null) {
      return new Verdict(true, "first version");
    }
    if (candidate.examples() < minExamples) {
      return new Verdict(true, "ungated: " + candidate.examples() + " hold-out examples, the gate needs "
          + minExamples);
    }
    if (task == Signature.Task.CLASSIFICATION) {
      boolean ok = candidate.accuracy() >= live.accuracy() - margin;
      return new Verdict(ok, String.format("hold-out accuracy %.4f vs live %.4f (margin %.4f)",
          candidate.accuracy(), live.accuracy(), margin));
    }
    boolean ok = !Double.isFinite(live.loss()) || candidate.loss() <= live.loss() * (1 + margin);
    return new Verdict(ok, String.format("hold-out mse %.6g vs live %.6g (margin %.2f%%)",
        candidate.loss(), live.loss(), margin * 100));
  }
}
