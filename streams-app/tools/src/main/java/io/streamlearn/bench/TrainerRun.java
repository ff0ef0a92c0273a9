package io.streamlearn.bench;

import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import io.streamlearn.train.TrainerStatus;
import java.time.Duration;

/**
 * One timed run of a real trainer over a pre-filled topic, as the trainer benches measure it: the
 * clock starts at its first consumed record (start-up, the consumer's join and the first fetch are
 * counted apart) and stops when it has consumed {@code events} records.
 *
 * @param status the trainer's status when it had consumed them
 * @param seconds from the first consumed record to the last
 * @param startupSeconds from starting the trainer to its first consumed record
 */
record TrainerRun(TrainerStatus status, double seconds, double startupSeconds) {

  /**
   * Starts a trainer on {@code config} in a thread of its own, waits until it has consumed
   * {@code events} records, then stops it.
   *
   * @throws IllegalStateException if the trainer stops before it has consumed them
   */
  static TrainerRun drain(TrainerConfig config, long events, String threadName) throws InterruptedException {
    Trainer trainer = new Trainer(config);
    Thread thread = new Thread(trainer, threadName);
    long start = System.nanoTime();
    thread.start();
    long first = 0;
    while (trainer.status().eventsConsumed() < events && thread.isAlive()) {
      if (first == 0 && trainer.status().eventsConsumed() > 0) {
        first = System.nanoTime();
      }
      Thread.sleep(5);
    }
    long end = System.nanoTime();
    TrainerStatus s = trainer.status();
    trainer.stop();
    trainer.awaitStopped(Duration.ofSeconds(60));
    if (s.eventsConsumed() < events) {
      throw new IllegalStateException("the trainer stopped after " + s.eventsConsumed() + " of " + events + " records");
    }
    return new TrainerRun(s, (end - first) / 1e9, (first - start) / 1e9);
  }
}
