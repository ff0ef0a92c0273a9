package io.streamlearn.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits on a condition instead of sleeping a guessed time: tests against a broker (a version
 * reaching a reader, an alias moving) check their condition every 50 ms and fail with what they
 * waited for once the timeout has passed.
 */
public final class Await {
  private Await() {}

  /**
   * Returns once {@code condition} holds.
   *
   * @throws AssertionError naming {@code what} (evaluated then, so it can show the state found)
   *     when it does not hold within {@code timeout}
   */
  public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what.get());
      }
      Thread.sleep(50);
    }
  }
}
