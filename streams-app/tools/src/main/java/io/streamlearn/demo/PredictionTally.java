package io.streamlearn.demo;

import io.streamlearn.learn.metrics.WindowedMean;
import io.streamlearn.schema.Prediction;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Counts predictions as a consumer of the predictions topic sees them: how many, for how many
 * distinct events, whether versions ever go back on a partition, and the accuracy on labeled events over the last window.
 * Thread-safe.
 *
 * <p>The demo's own ids ({@code e-<n>}, see {@link DemoProducer}) are remembered as one bit each, so
 * the check costs a few hundred kilobytes over a long soak instead of a growing set of strings that
 * would make the heap look like it leaks; any other id falls back to a set.
 */
final class PredictionTally {
  private static final String DEMO_ID_PREFIX = "e-";
  private final BitSet demoIds = new BitSet();
  private final Set<String> otherIds = new HashSet<>();
  private long distinct;
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
    if (firstSeen(p.getId())) {
      distinct++;
    } else {
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

  private boolean firstSeen(String id) {
    int n = demoIdNumber(id);
    if (n < 0) {
      return otherIds.add(id);
    }
    boolean seen = demoIds.get(n);
    demoIds.set(n);
    return !seen;
  }

  /** The number of a demo id {@code e-<n>}, or -1 for any other id. */
  static int demoIdNumber(String id) {
    if (!id.startsWith(DEMO_ID_PREFIX) || id.length() == DEMO_ID_PREFIX.length()
        || id.length() > DEMO_ID_PREFIX.length() + 9) {
      return -1;
    }
    int n = 0;
    for (int i = DEMO_ID_PREFIX.length(); i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9' || (c == '0' && i == DEMO_ID_PREFIX.length() && id.length() > i + 1)) {
        return -1; // not a canonical number: e-007 and e-7 must not share a bit
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  synchronized long predictions() {
    return predictions;
  }

  synchronized long distinct() {
    return distinct;
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
