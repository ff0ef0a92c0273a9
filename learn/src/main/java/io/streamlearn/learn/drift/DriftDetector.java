package io.streamlearn.learn.drift;

/** A detector of change in the distribution of a stream of errors. Not thread-safe. */
public interface DriftDetector {

  /**
   * Adds one error value.
   *
   * @return true if drift was detected with this value
   */
  boolean update(double error);

  /** Forgets everything seen so far. */
  void reset();
}
