package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryState;
import java.util.ArrayList;
import java.util.List;

/**
 * What the exactly-once tests read from a model's versions: walked oldest first, each version comes
 * after the one before and no lineage range overlaps an earlier one; the sums are for the test to
 * compare with what it produced.
 *
 * @param versions the model's versions, oldest first
 * @param trained the examples trained on over the lineage of all versions
 * @param covered the input offsets covered by all lineage ranges
 * @param skipped the offsets consumed but left out by sampling ({@code --max-lag}), as the ranges count them
 */
record LineageAudit(List<ModelVersion> versions, long trained, long covered, long skipped) {

  /** Audits the versions of {@code model}: strictly increasing, no two lineage ranges overlapping. */
  static LineageAudit of(RegistryState registry, String model) {
    List<ModelVersion> versions = new ArrayList<>(registry.versions(model).values());
    List<OffsetRange> ranges = new ArrayList<>();
    long trained = 0;
    long previous = 0;
    for (ModelVersion v : versions) {
      assertTrue(v.version() > previous, v.key() + " comes after version " + previous);
      previous = v.version();
      trained += v.lineage().examplesSinceParent();
      for (OffsetRange r : v.lineage().ranges()) {
        for (OffsetRange other : ranges) {
          assertFalse(r.overlaps(other), v.key() + " range " + r + " overlaps " + other);
        }
        ranges.add(r);
      }
    }
    long covered = ranges.stream().mapToLong(r -> r.untilOffset() - r.fromOffset()).sum();
    long skipped = ranges.stream().mapToLong(OffsetRange::skipped).sum();
    return new LineageAudit(List.copyOf(versions), trained, covered, skipped);
  }

  /** Asserts that each version descends from the one before it (the first from none). */
  void assertParentChain() {
    long previous = 0;
    for (ModelVersion v : versions) {
      assertEquals(previous, v.parentVersion(), v.key() + " descends from the version before it");
      previous = v.version();
    }
  }
}
