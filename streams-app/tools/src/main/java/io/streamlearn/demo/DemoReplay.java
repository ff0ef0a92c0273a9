package io.streamlearn.demo;

/**
 * What produces the demo's input at its rate ({@link PacedReplay}): events ({@link DemoProducer}) or
 * raw records ({@link FlightsReplay}).
 */
interface DemoReplay extends Runnable {
  /** Records sent so far. */
  long produced();

  /** Stops after the record being sent. */
  void stop();
}
