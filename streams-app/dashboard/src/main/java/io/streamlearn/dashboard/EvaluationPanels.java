package io.streamlearn.dashboard;

import io.streamlearn.schema.ChallengerVerdict;
import io.streamlearn.schema.ServedMetrics;
import io.streamlearn.schema.TrainingEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the evaluation says about a model, as the dashboard's four evaluation panels show it:
 * the all-time served figures per version and alias ({@code ServedMetrics}), the latest challenger
 * verdict per (live, challenger) pair with the path of its log-likelihood ratio, the canary split
 * of the last predictions, and the latest label-free feature-drift event per version. Every list
 * is bounded. Guarded by the lock of the {@link DashboardState} that holds it.
 *
 * <p>Only the all-time served records (window {@code [0, Long.MAX_VALUE)}) are kept: a version's
 * row compares its whole served life with the trainer's figures for it; the windowed records are
 * for consumers that chart served quality over time.
 */
final class EvaluationPanels {
  /** The prefix of a feature's PSI in a DRIFT event's metrics ({@code psi.<feature>}). */
  static final String PSI = "psi.";
  static final int MAX_PAIRS = 20;
  static final int MAX_LLR_POINTS = 500;
  static final int MAX_DRIFT_VERSIONS = 50;
  static final int MAX_SERVED_ROWS = 200;

  private final int splitWindow;
  /** Keyed by version, then alias. */
  private final Map<Long, Map<String, ServedMetrics>> served = new TreeMap<>();
  /** Keyed {@code live>challenger} version pair, in the order first seen. */
  private final Map<String, Verdict> verdicts = new LinkedHashMap<>();
  private final Deque<String> splitAliases = new ArrayDeque<>();
  private final Map<String, Long> splitCounts = new HashMap<>();
  private final Map<String, Long> aliasVersions = new TreeMap<>();
  private final Map<Long, Map<String, Object>> drift = new TreeMap<>();

  /** Panels whose canary split covers the last {@code splitWindow} predictions. */
  EvaluationPanels(int splitWindow) {
    if (splitWindow < 1) {
      throw new IllegalArgumentException("splitWindow must be >= 1, found " + splitWindow);
    }
    this.splitWindow = splitWindow;
  }

  /** A challenger verdict, latest first seen, with the (pairs, LLR) path it took. */
  private static final class Verdict {
    ChallengerVerdict latest;
    final Deque<double[]> path = new ArrayDeque<>();
  }

  void onServedMetrics(ServedMetrics m) {
    if (m.getWindowStart() != 0 || m.getWindowEnd() != Long.MAX_VALUE) {
      return;
    }
    String alias = m.getAlias() == null ? "" : m.getAlias();
    served.computeIfAbsent(m.getModelVersion(), v -> new TreeMap<>()).put(alias, m);
    while (served.size() > MAX_SERVED_ROWS) {
      served.remove(served.keySet().iterator().next());
    }
  }

  void onChallengerVerdict(ChallengerVerdict v) {
    String key = v.getLiveVersion() + ">" + v.getChallengerVersion();
    Verdict verdict = verdicts.remove(key); // re-inserted: the most recently updated pair is last
    if (verdict == null) {
      verdict = new Verdict();
    }
    verdicts.put(key, verdict);
    verdict.latest = v;
    double[] last = verdict.path.peekLast();
    if (last == null || last[0] != v.getPairs()) {
      verdict.path.addLast(new double[] {v.getPairs(), v.getLogLikelihoodRatio()});
      while (verdict.path.size() > MAX_LLR_POINTS) {
        verdict.path.removeFirst();
      }
    }
    while (verdicts.size() > MAX_PAIRS) {
      verdicts.remove(verdicts.keySet().iterator().next());
    }
  }

  void onPrediction(String alias, long version) {
    String a = alias == null ? "" : alias;
    splitAliases.addLast(a);
    splitCounts.merge(a, 1L, Long::sum);
    while (splitAliases.size() > splitWindow) {
      String gone = splitAliases.removeFirst();
      if (splitCounts.merge(gone, -1L, Long::sum) == 0) {
        splitCounts.remove(gone);
        aliasVersions.remove(gone);
      }
    }
    if (splitCounts.containsKey(a)) {
      aliasVersions.put(a, version);
    }
  }

  /** Keeps a DRIFT event that names features ({@code psi.<feature>}); returns whether it did. */
  boolean onDrift(TrainingEvent e) {
    List<Map<String, Object>> features = new ArrayList<>();
    Map<String, Double> other = new TreeMap<>();
    e.getMetrics().forEach((k, v) -> {
      String key = k.toString();
      if (!Double.isFinite(v)) {
        return;
      }
      if (key.startsWith(PSI) && key.length() > PSI.length()) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("feature", key.substring(PSI.length()));
        f.put("psi", v);
        features.add(f);
      } else {
        other.put(key, v);
      }
    });
    if (features.isEmpty()) {
      return false;
    }
    features.sort(Comparator.comparingDouble((Map<String, Object> f) -> (Double) f.get("psi")).reversed()
        .thenComparing(f -> (String) f.get("feature")));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("version", e.getModelVersion());
    row.put("t", e.getTimestamp().toEpochMilli());
    row.put("message", e.getMessage());
    row.put("features", features);
    row.put("metrics", other);
    drift.put(e.getModelVersion(), row);
    while (drift.size() > MAX_DRIFT_VERSIONS) {
      drift.remove(drift.keySet().iterator().next());
    }
    return true;
  }

  /**
   * The served rows, one per (version, alias), newest version first; each beside the trainer's
   * figures for that version from {@code versions} (the registry's metrics).
   */
  List<Map<String, Object>> servedRows(Map<Long, VersionStats> versions) {
    List<Map<String, Object>> rows = new ArrayList<>();
    served.forEach((version, byAlias) -> byAlias.forEach((alias, m) -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("version", version);
      row.put("alias", alias);
      row.put("evaluated", m.getEvaluated());
      row.put("leaked", m.getLeaked());
      Map<String, Double> metrics = new TreeMap<>();
      m.getMetrics().forEach((k, v) -> {
        if (Double.isFinite(v)) {
          metrics.put(k.toString(), v);
        }
      });
      row.put("accuracy", metrics.get("accuracy"));
      row.put("metrics", metrics);
      row.put("publishedAt", m.getPublishedAt().toEpochMilli());
      VersionStats s = versions.get(version);
      Map<String, Double> trainer = s == null ? Map.of() : s.metrics;
      row.put("trainerPrequentialAccuracy", trainer.get("prequentialAccuracy"));
      row.put("trainerHoldoutAccuracy", trainer.get("holdoutAccuracy"));
      rows.add(row);
    }));
    Collections.reverse(rows);
    return rows;
  }

  /** The latest verdict of each pair, most recently updated first, each with its LLR path. */
  List<Map<String, Object>> challengerRows() {
    List<Map<String, Object>> rows = new ArrayList<>();
    verdicts.values().forEach(verdict -> {
      ChallengerVerdict v = verdict.latest;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("liveAlias", v.getLiveAlias());
      row.put("liveVersion", v.getLiveVersion());
      row.put("challengerAlias", v.getChallengerAlias());
      row.put("challengerVersion", v.getChallengerVersion());
      row.put("pairs", v.getPairs());
      row.put("liveOnlyCorrect", v.getLiveOnlyCorrect());
      row.put("challengerOnlyCorrect", v.getChallengerOnlyCorrect());
      row.put("logLikelihoodRatio", v.getLogLikelihoodRatio());
      row.put("upperThreshold", v.getUpperThreshold());
      row.put("lowerThreshold", v.getLowerThreshold());
      row.put("alpha", v.getAlpha());
      row.put("beta", v.getBeta());
      row.put("delta", v.getDelta());
      row.put("verdict", v.getVerdict().name());
      row.put("decidedAtPairs", v.getDecidedAtPairs());
      row.put("promoted", v.getPromoted());
      row.put("publishedAt", v.getPublishedAt().toEpochMilli());
      List<double[]> path = new ArrayList<>(verdict.path);
      row.put("path", path);
      rows.add(row);
    });
    Collections.reverse(rows);
    return rows;
  }

  /** The share of each alias over the last predictions, with the version it last predicted with. */
  Map<String, Object> canarySplit() {
    Map<String, Object> split = new LinkedHashMap<>();
    int n = splitAliases.size();
    split.put("window", splitWindow);
    split.put("predictions", n);
    List<Map<String, Object>> aliases = new ArrayList<>();
    new TreeMap<>(splitCounts).forEach((alias, count) -> {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("alias", alias);
      a.put("predictions", count);
      a.put("share", count / (double) n);
      a.put("version", aliasVersions.get(alias));
      aliases.add(a);
    });
    split.put("aliases", aliases);
    return split;
  }

  /** The latest feature-drift event of each version, newest version first. */
  List<Map<String, Object>> driftRows() {
    List<Map<String, Object>> rows = new ArrayList<>(drift.values());
    Collections.reverse(rows);
    return rows;
  }
}
