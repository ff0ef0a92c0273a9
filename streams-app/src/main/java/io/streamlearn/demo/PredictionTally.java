package io.streamlearn.demo;

import io.streamlearn.learn.metrics.WindowedMean;
import io.streamlearn.schema.Prediction;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Counts predictions as a consumer of the predictions topic sees them: how many, for how many
 * distinct events, whether versions ever go back on a partition, and the accuracy on labeled events over the last window.
 * Thread-safe.
 */
final class PredictionTally {
  private final Set<String> ids = new HashSet<>();
  private final WindowedMean accuracy;
  private long predictions;
  private long duplicates;
  private long maxVersion;
  private final Map<Integer, Long> maxVersionByPartition = new HashMap<>();
  private long versionsGoingBack;

  PredictionTally(int window) {
    this.accuracy = new WindowedMean(window);
  }

  /** Counts one prediction read from {@code partition} of the predictions topic. */
  synchronized void add(Prediction p, int partition) {
    predictions++;
    if (!ids.add(p.getId())) {
      duplicates++;
    }
    long before = maxVersionByPartition.getOrDefault(partition, 0L);
    if (p.getModelVersion() < before) {
      versionsGoingBack++;
    }
    maxVersionByPartition.put(partition, Math.max(before, p.getModelVersion()));
    maxVersion = Math.max(maxVersion, p.getModelVersion());
    if (p.getLabel() instanceof Integer label && p.getPredictedClass() != null) {
      accuracy.add(label.equals(p.getPredictedClass()) ? 1.0 : 0.0);
    }
  }

  synchronized long predictions() {
    return predictions;
  }

  synchronized long distinct() {
    return ids.size();
  }

  synchronized long duplicates() {
    return duplicates;
  }

  synchronized long maxVersion() {
    return maxVersion;
  }

  synchronized long versionsGoingBack() {
    return versionsGoingBack;
  }

  synchronized double accuracy() {
    return accuracy.count() == 0 ? Double.NaN : accuracy.mean();
  }
}
