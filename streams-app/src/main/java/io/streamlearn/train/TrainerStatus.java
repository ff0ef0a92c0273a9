package io.streamlearn.train;

/**
 * A snapshot of a running trainer, for progress lines, the dashboard and tests.
 *
 * @param publishedVersions versions this trainer published since it started
 * @param lastVersion the newest version of the model (published by this or an earlier run), 0 for none
 * @param examplesTrained examples trained on since the model's first version
 * @param deadLetters records this trainer sent to the dead-letter topic
 * @param discardedBatches batches discarded for a non-finite loss
 * @param prequentialAccuracy accuracy of the predictions made before training, over the last window
 * @param prequentialLoss mean loss before training, over the last window
 */
public record TrainerStatus(long publishedVersions, long lastVersion, long examplesTrained,
                            long deadLetters, long discardedBatches, double prequentialAccuracy,
                            double prequentialLoss) {}
