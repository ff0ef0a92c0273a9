package io.streamlearn.train;

/**
 * A snapshot of a running trainer, for progress lines, the dashboard, benchmarks and tests.
 *
 * @param publishedVersions versions this trainer published since it started
 * @param lastVersion the newest version of the model (published by this or an earlier run), 0 for none
 * @param examplesTrained examples trained on since the model's first version
 * @param deadLetters records this trainer sent to the dead-letter topic
 * @param discardedBatches batches discarded for a non-finite loss
 * @param prequentialAccuracy accuracy of the predictions made before training, over the last window
 * @param prequentialLoss mean loss before training, over the last window
 * @param eventsConsumed input records this run consumed (replays after a rollback count again)
 * @param heldOut events this run kept for the hold-out set instead of training on them
 * @param rejectedVersions candidates the validation gate refused in this run
 * @param drifts drifts detected in this run
 * @param learningRate the current base learning rate
 * @param labelsDroppedUnmatched delayed-label join: events that expired without their partner
 * @param skippedBySampling events this run consumed but did not train on because its backlog
 *     exceeded {@code max.lag} (sampling; a version's lineage counts them per range)
 * @param sampleRate the share of events trained on in the last chunk: 1 unless behind by more than {@code max.lag}
 */
public record TrainerStatus(long publishedVersions, long lastVersion, long examplesTrained,
                            long deadLetters, long discardedBatches, double prequentialAccuracy,
                            double prequentialLoss, long eventsConsumed, long heldOut,
                            long rejectedVersions, long drifts, double learningRate,
                            long labelsDroppedUnmatched, long skippedBySampling, double sampleRate) {
  /** A status without sampling: nothing skipped, rate 1. */
  public TrainerStatus(long publishedVersions, long lastVersion, long examplesTrained, long deadLetters,
                       long discardedBatches, double prequentialAccuracy, double prequentialLoss,
                       long eventsConsumed, long heldOut, long rejectedVersions, long drifts,
                       double learningRate, long labelsDroppedUnmatched) {
    this(publishedVersions, lastVersion, examplesTrained, deadLetters, discardedBatches, prequentialAccuracy,
        prequentialLoss, eventsConsumed, heldOut, rejectedVersions, drifts, learningRate, labelsDroppedUnmatched,
        0, 1.0);
  }

  static TrainerStatus initial() {
    return new TrainerStatus(0, 0, 0, 0, 0, Double.NaN, Double.NaN, 0, 0, 0, 0, Double.NaN, 0);
  }
}
