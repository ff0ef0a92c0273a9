package io.streamlearn.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** A trainer run's running totals, and the PROGRESS metrics and status built from them. Not thread-safe. */
final class TrainerCounters {
  long consumed;
  long heldOut;
  long deadLetters;
  long discardedBatches;
  long drifts;
  long skippedFeatureRecords;
  /** Events consumed but not trained on: sampled out while the backlog exceeded {@code max.lag}. */
  long skippedBySampling;
  /** The sampling rate of the last chunk taken. */
  double sampleRate = 1.0;

  /** The metrics of a PROGRESS record: the prequential ones, then these totals. */
  Map<String, Double> progress(Prequential prequential, VersionPublisher publisher, LabelJoin join) {
    Map<String, Double> m = new LinkedHashMap<>(prequential.metrics());
    m.put("eventsConsumed", (double) consumed);
    m.put("heldOut", (double) heldOut);
    m.put("deadLetters", (double) deadLetters);
    m.put("discardedBatches", (double) discardedBatches);
    m.put("drifts", (double) drifts);
    m.put("skippedBySampling", (double) skippedBySampling);
    m.put("sampleRate", sampleRate);
    m.put("versionsRejected", (double) publisher.rejected);
    if (join != null) {
      m.put("labelsPending", (double) join.pending());
      m.put("labelsDroppedUnmatched", (double) join.dropped());
    }
    return m;
  }

  /** The status; {@code state}, {@code prequential} and {@code join} may still be null. */
  TrainerStatus status(VersionPublisher publisher, TrainingState state, Prequential prequential, LabelJoin join) {
    return new TrainerStatus(publisher.published, state == null ? 0 : state.lastVersion,
        state == null ? 0 : state.examplesSeen, deadLetters, discardedBatches,
        prequential == null ? Double.NaN : prequential.windowedAccuracy(),
        prequential == null ? Double.NaN : prequential.windowedLoss(),
        consumed, heldOut, publisher.rejected, drifts,
        state == null ? Double.NaN : state.learner.learningRate(), join == null ? 0 : join.dropped(),
        skippedBySampling, sampleRate);
  }
}
