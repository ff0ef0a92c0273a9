package io.streamlearn.train;

import io.streamlearn.learn.drift.Adwin;
import io.streamlearn.learn.drift.DriftDetector;
import io.streamlearn.learn.drift.PageHinkley;

/**
 * Watches the prequential error stream for concept drift with ADWIN or Page-Hinkley. Its window is
 * not checkpointed: a restarted trainer watches afresh (a drift across a restart is detected from
 * the errors after it). Not thread-safe.
 */
final class DriftMonitor {
  private static final int PAGE_HINKLEY_MIN_INSTANCES = 30;
  private final DriftDetector detector;
  private long detections;

  DriftMonitor(String kind, double delta, double threshold) {
    this.detector = switch (kind) {
      case "adwin" -> new Adwin(delta);
      case "page_hinkley" -> new PageHinkley(PAGE_HINKLEY_MIN_INSTANCES, delta, threshold);
      case "none" -> null;
      default -> throw new IllegalArgumentException("unknown drift detector '" + kind + "'");
    };
  }

  /** Adds one example's error; true when it completes a detection. */
  boolean update(double error) {
    if (detector == null || !Double.isFinite(error)) {
      return false;
    }
    if (detector.update(error)) {
      detections++;
      return true;
    }
    return false;
  }

  /** Drifts detected by this monitor. */
  long detections() {
    return detections;
  }
}
