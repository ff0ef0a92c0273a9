package io.streamlearn.eval;

import io.streamlearn.config.Checks;
import io.streamlearn.registry.RegistryKey;
import java.util.List;

/**
 * How the evaluation watches the served inputs for drift against the served version's reference
 * sketch (drift without labels, {@link DriftTopology}).
 *
 * @param enabled whether the drift branch runs
 * @param alias the served alias whose version's reference the inputs are compared with
 * @param inputTopics the event topics inference reads (LabeledEvent and FeatureEvent records); not empty when enabled
 * @param windowEvents events per tumbling window (per version and input partition), >= 10
 * @param threshold the PSI at or above which a feature has drifted, > 0
 */
public record DriftSettings(boolean enabled, String alias, List<String> inputTopics, int windowEvents,
                            double threshold) {
  /** Validates and copies. */
  public DriftSettings {
    RegistryKey.checkAlias(alias);
    inputTopics = List.copyOf(inputTopics);
    if (enabled && inputTopics.isEmpty()) {
      throw new IllegalArgumentException("inputTopics must name at least one topic when enabled, found none");
    }
    inputTopics.forEach(t -> Checks.text("inputTopics", t));
    Checks.atLeast("windowEvents", windowEvents, 10);
    if (!(threshold > 0)) {
      throw new IllegalArgumentException("threshold must be > 0, found " + threshold);
    }
  }
}
