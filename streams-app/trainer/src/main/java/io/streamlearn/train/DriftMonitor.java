package io.streamlearn.train;

import io.streamlearn.learn.drift.Adwin;
import io.streamlearn.learn.drift.DriftDetector;
import io.streamlearn.learn.drift.PageHinkley;

/**
 * Watches the prequential error stream for concept drift with ADWIN or Page-Hinkley: a change to a
 * higher error is a drift (ADWIN also cuts its window when the error falls, which is the model
 * learning and is not reported). Its window is
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
    double before = detector instanceof Adwin a ? a.mean() : 0.0;
    if (!detector.update(error)) {
      return false;
    }
    // ADWIN cuts on a change either way; a falling error is the model learning, not a drift.
    if (detector instanceof Adwin a && a.mean() <= before) {
      return false;
    }
    detections++;
    return true;
  }

  /** Drifts detected by this monitor. */
  long detections() {
    return detections;
  }
}
