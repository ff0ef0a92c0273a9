package io.streamlearn.registry;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a version came from: the input offsets trained on since its parent, how many examples the
 * model has seen in all, the hyperparameters, the seed and the code version.
 *
 * @param ranges offset ranges per input partition trained on since the parent version
 * @param examplesSeen examples trained on since the model's first version
 * @param examplesSinceParent examples trained on since the parent version
 * @param hyperparameters the training configuration, as text
 * @param seed the random seed
 * @param codeVersion the streamlearn version that trained it
 */
public record Lineage(List<OffsetRange> ranges, long examplesSeen, long examplesSinceParent,
                      Map<String, String> hyperparameters, long seed, String codeVersion) {
  /** Validates and copies. */
  public Lineage {
    ranges = List.copyOf(ranges);
    if (examplesSeen < 0 || examplesSinceParent < 0 || examplesSinceParent > examplesSeen) {
      throw new IllegalArgumentException("need 0 <= examplesSinceParent <= examplesSeen, found "
          + examplesSinceParent + " and " + examplesSeen);
    }
    hyperparameters = Map.copyOf(hyperparameters);
    Objects.requireNonNull(codeVersion, "codeVersion");
  }
}
