package io.streamlearn.registry;

import io.streamlearn.tensor.NamedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What changed from one version to another: architecture, signature, metrics, lineage and a
 * per-tensor summary of the weight change.
 *
 * @param from key of the first version
 * @param to key of the second version
 * @param architecture {@code [from, to]} when it changed, empty when equal
 * @param signatureChanged whether the signatures differ
 * @param metrics per metric: {@code [from, to, to - from]} (NaN where a side lacks it)
 * @param examplesSeen {@code [from, to]}
 * @param hyperparameters per changed hyperparameter: {@code [from, to]} (null where absent)
 * @param seeds {@code [from, to]}
 * @param tensors the weight change per tensor
 */
public record VersionDiff(String from, String to, List<String> architecture, boolean signatureChanged,
                          Map<String, double[]> metrics, long[] examplesSeen,
                          Map<String, List<String>> hyperparameters, long[] seeds,
                          List<TensorDelta> tensors) {

  /**
   * The change of one tensor.
   *
   * @param name the tensor
   * @param status {@code changed}, {@code unchanged}, {@code reshaped}, {@code added} or {@code removed}
   * @param l2Delta L2 norm of {@code to - from} (NaN unless same shape)
   * @param maxAbsDelta largest absolute element change (NaN unless same shape)
   * @param relativeDelta {@code l2Delta / ||from||} (NaN unless same shape; infinite from zeros)
   */
  public record TensorDelta(String name, String status, double l2Delta, double maxAbsDelta,
                            double relativeDelta) {}

  /** Compares two versions (of the same model or not). */
  public static VersionDiff of(ModelVersion a, ModelVersion b) {
    List<String> arch = a.architecture().equals(b.architecture()) ? List.of()
        : List.of(a.architecture(), b.architecture());
    Map<String, double[]> metrics = new LinkedHashMap<>();
    for (String k : new TreeSet<>(union(a.metrics().keySet(), b.metrics().keySet()))) {
      double x = a.metrics().getOrDefault(k, Double.NaN);
      double y = b.metrics().getOrDefault(k, Double.NaN);
      metrics.put(k, new double[] {x, y, y - x});
    }
    Map<String, List<String>> hyper = new LinkedHashMap<>();
    Map<String, String> ha = a.lineage().hyperparameters();
    Map<String, String> hb = b.lineage().hyperparameters();
    for (String k : new TreeSet<>(union(ha.keySet(), hb.keySet()))) {
      if (!Objects.equals(ha.get(k), hb.get(k))) {
        hyper.put(k, Arrays.asList(ha.get(k), hb.get(k)));
      }
    }
    return new VersionDiff(a.key(), b.key(), arch, !a.signature().equals(b.signature()), metrics,
        new long[] {a.lineage().examplesSeen(), b.lineage().examplesSeen()}, hyper,
        new long[] {a.lineage().seed(), b.lineage().seed()}, tensors(a, b));
  }

  private static List<TensorDelta> tensors(ModelVersion a, ModelVersion b) {
    Map<String, NamedTensor> tb = new LinkedHashMap<>();
    b.tensors().forEach(t -> tb.put(t.name(), t));
    List<TensorDelta> out = new ArrayList<>();
    for (NamedTensor x : a.tensors()) {
      NamedTensor y = tb.remove(x.name());
      if (y == null) {
        out.add(new TensorDelta(x.name(), "removed", Double.NaN, Double.NaN, Double.NaN));
      } else if (!Arrays.equals(x.shape(), y.shape())) {
        out.add(new TensorDelta(x.name(), "reshaped", Double.NaN, Double.NaN, Double.NaN));
      } else {
        float[] dx = x.data();
        float[] dy = y.data();
        double sq = 0;
        double norm = 0;
        double max = 0;
        for (int i = 0; i < dx.length; i++) {
          double d = (double) dy[i] - dx[i];
          sq += d * d;
          norm += (double) dx[i] * dx[i];
          max = Math.max(max, Math.abs(d));
        }
        double l2 = Math.sqrt(sq);
        out.add(new TensorDelta(x.name(), l2 == 0 ? "unchanged" : "changed", l2, max,
            l2 == 0 ? 0 : l2 / Math.sqrt(norm)));
      }
    }
    tb.keySet().forEach(n -> out.add(new TensorDelta(n, "added", Double.NaN, Double.NaN, Double.NaN)));
    return out;
  }

  private static java.util.Set<String> union(java.util.Set<String> x, java.util.Set<String> y) {
    java.util.Set<String> u = new java.util.HashSet<>(x);
    u.addAll(y);
    return u;
  }
}
