package io.streamlearn.learn.metrics;

/** A mean over a stream of values. */
public interface StreamingMean {

  /** Adds a value. */
  void add(double value);

  /** The current mean, or NaN before any value. */
  double mean();

  /** Values added since construction or the last reset. */
  long count();

  /** Forgets every value. */
  void reset();
}
