package io.streamlearn.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the dashboard knows about one version: what the registry says (created, parent, metrics)
 * and what its predictions showed (served, served and hold-out accuracy). Guarded by the lock of
 * the {@link DashboardState} that holds it.
 */
final class VersionStats {
  final long version;
  long createdAt;
  long parent;
  long examplesSeen;
  String architecture = "";
  /** The named input fields of a version over users' own records ({@code origin:category}), else empty. */
  java.util.List<String> inputs = java.util.List.of();
  Map<String, Double> metrics = Map.of();
  long firstServedAt;
  long served;
  long labeledCount;
  double labeledCorrect;
  long heldOutCount;
  double heldOutCorrect;

  VersionStats(long version) {
    this.version = version;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", version);
    m.put("createdAt", createdAt);
    m.put("parent", parent);
    m.put("examplesSeen", examplesSeen);
    m.put("architecture", architecture);
    m.put("inputs", inputs);
    m.put("metrics", metrics);
    m.put("firstServedAt", firstServedAt);
    m.put("served", served);
    m.put("servedAccuracy", labeledCount == 0 ? null : labeledCorrect / labeledCount);
    m.put("servedLabeled", labeledCount);
    m.put("heldOutAccuracy", heldOutCount == 0 ? null : heldOutCorrect / heldOutCount);
    m.put("heldOutCount", heldOutCount);
    return m;
  }
}
