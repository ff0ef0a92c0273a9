package io.streamlearn.train;

import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether a running trainer is doing its job, the question its readiness probe asks: its input
 * partitions are assigned, and while records wait it has committed a checkpoint within {@code
 * maxAgeMs}. An idle input with nothing to commit is ready however old the last checkpoint is: a
 * trainer checkpoints only when it has consumed something.
 *
 * <p>The records that wait are those the trainer has taken since its last committed checkpoint,
 * those the poller has handed over and the trainer not yet taken, and those after the consumer's
 * position (its lag). Until its first commit, the trainer's start counts as its last checkpoint:
 * its state is the checkpoint it resumed from, and it gets {@code maxAgeMs} to commit the next one.
 *
 * <p>Written by the training thread (assigned, records taken, a commit begun, a rollback) and the
 * committing thread (a commit done); read by any thread (the health check, the gauges) through
 * volatile fields only, never the consumer: a probe costs a few reads.
 */
final class TrainerHealth {
  private static final long NANOS_PER_MS = 1_000_000;

  private final TrainerClock clock;
  private final long maxAgeMs;
  private volatile boolean assigned;
  private volatile boolean committedOnce;
  /** The start, then each committed checkpoint; on the trainer's monotonic clock. */
  private volatile long lastCommitNanos;
  /** Records the training thread has taken in this run (replays after a rollback again). */
  private volatile long taken;
  /** {@link #taken} as of the commit on its way; training thread only. */
  private long takenCommitting;
  /** {@link #taken} as of the last committed checkpoint (or rollback to it). */
  private volatile long takenCommitted;
  private volatile Poller poller;

  TrainerHealth(TrainerClock clock, long maxAgeMs) {
    if (maxAgeMs < 1) {
      throw new IllegalArgumentException("maxAgeMs must be at least 1, found " + maxAgeMs);
    }
    this.clock = clock;
    this.maxAgeMs = maxAgeMs;
  }

  /**
   * The readiness rule on its inputs.
   *
   * @param assigned whether the trainer has assigned and positioned its consumer
   * @param committedOnce whether it committed a checkpoint since it started (the age is since its start if not)
   * @param ageMs how long ago it last committed a checkpoint (or started)
   * @param maxAgeMs the oldest that checkpoint may be while records wait
   * @param waiting records not yet in a committed checkpoint
   * @return empty when ready, else what is missing
   */
  static Optional<String> readiness(boolean assigned, boolean committedOnce, long ageMs, long maxAgeMs,
                                    long waiting) {
    if (!assigned) {
      return Optional.of("partitions not assigned yet");
    }
    if (waiting <= 0 || ageMs <= maxAgeMs) {
      return Optional.empty();
    }
    String age = duration(ageMs) + " ago (max " + duration(maxAgeMs) + ")";
    return Optional.of(String.format(Locale.ROOT, "%s %s while %,d records wait", committedOnce
        ? "last checkpoint committed" : "no checkpoint committed since the trainer started", age, waiting));
  }

  /** The rule applied to the trainer as it is now. */
  Optional<String> readiness() {
    if (!assigned) {
      return readiness(false, false, 0, maxAgeMs, 0);
    }
    return readiness(true, committedOnce, ageNanos() / NANOS_PER_MS, maxAgeMs, waiting());
  }

  /** Seconds since the last committed checkpoint (or the start, before the first); NaN before the start. */
  double checkpointAgeSeconds() {
    return assigned ? ageNanos() / 1e9 : Double.NaN;
  }

  /** Records that wait for a checkpoint: taken but uncommitted, handed over, and not yet read. */
  long waiting() {
    long w = Math.max(0, taken - takenCommitted);
    Poller p = poller;
    if (p != null) {
      w += Math.max(0, p.queuedRecords());
      for (TopicPartition tp : p.partitions()) {
        w += Math.max(0, p.lag(tp));
      }
    }
    return w;
  }

  /** The consumer is assigned and positioned: the trainer's clock for its first checkpoint starts. */
  void assigned() {
    lastCommitNanos = clock.nanoTime();
    assigned = true;
  }

  /** The poller whose lag and queue count as waiting records. */
  void attach(Poller p) {
    this.poller = p;
  }

  /** Training thread: the run's total of records taken so far. */
  void taken(long total) {
    taken = total;
  }

  /** Training thread: a commit of everything taken up to {@code total} begins. */
  void committing(long total) {
    takenCommitting = total;
  }

  /** Committing thread: the commit begun last is durable. */
  void committed() {
    takenCommitted = takenCommitting;
    lastCommitNanos = clock.nanoTime();
    committedOnce = true;
  }

  /** Training thread: what was taken since the last checkpoint is discarded and will be read again. */
  void rolledBack(long total) {
    taken = total;
    takenCommitted = total;
  }

  private long ageNanos() {
    return Math.max(0, clock.nanoTime() - lastCommitNanos);
  }

  /** Whole seconds, or tenths below ten seconds (a test's or an impatient operator's maximum). */
  private static String duration(long ms) {
    return ms >= 10_000 || ms % 1000 == 0 ? String.format(Locale.ROOT, "%d s", ms / 1000)
        : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
