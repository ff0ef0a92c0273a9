package io.streamlearn.train;

import java.time.Instant;

/**
 * The trainer's time: a monotonic clock for its schedule (checkpoint, publish pace, drift
 * reaction) and the wall clock that stamps versions and training events. A seam so that a test
 * advances time instead of waiting for it ({@code TrainerTestDriver}).
 */
public interface TrainerClock {
  /** The machine's clocks: {@link System#nanoTime()} and {@link Instant#now()}. */
  TrainerClock SYSTEM = new TrainerClock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Instant now() {
      return Instant.now();
    }
  };

  /** Nanoseconds from an arbitrary origin, never going back; only differences mean anything. */
  long nanoTime();

  /** The wall-clock time. */
  Instant now();
}
