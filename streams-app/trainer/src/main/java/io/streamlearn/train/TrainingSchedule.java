package io.streamlearn.train;

/**
 * When the trainer checkpoints and when a candidate version is due, on an injected clock: every
 * so many batches or milliseconds, never two versions closer than the minimum interval, and soon
 * after a drift whatever the pace (but such a drift version at most once per minimum interval, so a
 * stream whose detector fires again and again, as real data's can, cannot make the trainer publish and
 * commit a version every few batches). The trainer tells it what happened ({@link #batchTrained},
 * {@link #drifted}, {@link #checkpointed}, {@link #published}, {@link #rolledBack}) and asks it
 * what is due. Not thread-safe.
 */
final class TrainingSchedule {
  private static final long NANOS_PER_MS = 1_000_000;

  private final TrainerSettings.Schedule rules;
  private final TrainerClock clock;
  private long batchesSinceCheckpoint;
  private long batchesSincePublish;
  /** Batches since the last drift whose reaction (a version) is still due; -1 for none. */
  private long batchesSinceDrift = -1;
  private long lastCheckpointNanos;
  private long lastPublishNanos;
  /** When the last version that skipped the minimum interval for a drift was judged; none yet at start. */
  private long lastDriftBypassNanos;
  private boolean driftBypassed;
  private boolean anyDriftBypass;

  TrainingSchedule(TrainerSettings.Schedule rules, TrainerClock clock) {
    this.rules = rules;
    this.clock = clock;
    this.lastCheckpointNanos = clock.nanoTime();
    this.lastPublishNanos = lastCheckpointNanos;
  }

  void batchTrained() {
    batchesSinceCheckpoint++;
    batchesSincePublish++;
    if (batchesSinceDrift >= 0) {
      batchesSinceDrift++;
    }
  }

  /** A drift was detected: a version is due after {@code driftPublishAfterBatches} more batches. */
  void drifted() {
    batchesSinceDrift = 0;
  }

  /**
   * Whether a checkpoint is due: a version is, or (with {@code dirty}, something consumed since
   * the last one) enough batches or time have passed.
   *
   * @param pendingRows examples taken but not yet trained on (a short batch)
   */
  boolean checkpointDue(boolean dirty, int pendingRows) {
    if (publishDue(pendingRows)) {
      return true;
    }
    return dirty && (batchesSinceCheckpoint >= rules.checkpointEveryBatches()
        || elapsedMs(lastCheckpointNanos) >= rules.checkpointEveryMs());
  }

  /** Whether a candidate version is due, given {@code pendingRows} examples not yet trained on. */
  boolean publishDue(int pendingRows) {
    if (batchesSincePublish == 0 && pendingRows == 0) {
      return false;
    }
    long sincePublish = elapsedMs(lastPublishNanos);
    if (batchesSinceDrift >= rules.driftPublishAfterBatches()
        && (!anyDriftBypass || elapsedMs(lastDriftBypassNanos) >= rules.publishMinIntervalMs())) {
      driftBypassed = sincePublish < rules.publishMinIntervalMs();
      return true; // the new concept's first version is not held back by the minimum interval
    }
    if (sincePublish < rules.publishMinIntervalMs()) {
      return false;
    }
    return batchesSincePublish >= rules.publishEveryBatches() || sincePublish >= rules.publishEveryMs();
  }

  /** A candidate was judged (published or rejected): the pace starts over. */
  void published() {
    lastPublishNanos = clock.nanoTime();
    if (driftBypassed) {
      lastDriftBypassNanos = lastPublishNanos;
      anyDriftBypass = true;
      driftBypassed = false;
    }
    batchesSincePublish = 0;
    batchesSinceDrift = -1;
  }

  void checkpointed() {
    batchesSinceCheckpoint = 0;
    lastCheckpointNanos = clock.nanoTime();
  }

  /** The work since the last checkpoint was discarded. */
  void rolledBack() {
    batchesSinceCheckpoint = 0;
  }

  private long elapsedMs(long sinceNanos) {
    return (clock.nanoTime() - sinceNanos) / NANOS_PER_MS;
  }
}
