package io.streamlearn.train;

import io.streamlearn.tensor.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic of a trainer group, on parameter lists of one network (same names, shapes and
 * order): a member's update is its replica minus its anchor (the weights it last adopted or sent);
 * a round adds the members' updates to the group's weights, each once ({@link #SUM}) or averaged,
 * weighted by the examples behind it ({@link #MEAN}); a member adopts a round by keeping the
 * progress it made since it last sent.
 */
final class GroupFold {
  /** Every update applied once: the group moves as far as one trainer reading the same examples would. */
  static final String SUM = "sum";
  /** Model averaging (local SGD): the updates' mean, weighted by their examples. */
  static final String MEAN = "mean";

  private GroupFold() {}

  /** {@code a - b}. */
  static List<NamedTensor> minus(List<NamedTensor> a, List<NamedTensor> b) {
    return combine(a, b, -1f);
  }

  /** {@code a + b}. */
  static List<NamedTensor> plus(List<NamedTensor> a, List<NamedTensor> b) {
    return combine(a, b, 1f);
  }

  private static List<NamedTensor> combine(List<NamedTensor> a, List<NamedTensor> b, float sign) {
    check(a, b);
    List<NamedTensor> out = new ArrayList<>(a.size());
    for (int t = 0; t < a.size(); t++) {
      float[] x = a.get(t).data();
      float[] y = b.get(t).data();
      float[] z = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        z[i] = x[i] + sign * y[i];
      }
      out.add(new NamedTensor(a.get(t).name(), a.get(t).shape(), z));
    }
    return out;
  }

  /**
   * The next group weights: {@code base} plus the updates, each with weight 1 ({@link #SUM}) or
   * {@code examples_i / sum(examples)} ({@link #MEAN}; no examples leaves the base as it is).
   *
   * @param examples the examples behind each update, in the order of {@code updates}
   */
  static List<NamedTensor> fold(List<NamedTensor> base, List<List<NamedTensor>> updates, long[] examples,
                                String combine) {
    if (updates.size() != examples.length) {
      throw new IllegalArgumentException(updates.size() + " updates with " + examples.length + " example counts");
    }
    long total = 0;
    for (long n : examples) {
      total += n;
    }
    // NamedTensor.data() returns a copy: sum into arrays of our own, then wrap them.
    float[][] sums = new float[base.size()][];
    for (int t = 0; t < base.size(); t++) {
      sums[t] = base.get(t).data();
    }
    for (int u = 0; u < updates.size(); u++) {
      List<NamedTensor> update = updates.get(u);
      check(base, update);
      float w;
      if (combine.equals(MEAN)) {
        if (total == 0) {
          continue;
        }
        w = (float) ((double) examples[u] / total);
      } else if (combine.equals(SUM)) {
        w = 1f;
      } else {
        throw new IllegalArgumentException("combine must be " + SUM + " or " + MEAN + ", found " + combine);
      }
      for (int t = 0; t < sums.length; t++) {
        float[] z = sums[t];
        float[] d = update.get(t).data();
        for (int i = 0; i < z.length; i++) {
          z[i] += w * d[i];
        }
      }
    }
    List<NamedTensor> out = new ArrayList<>(base.size());
    for (int t = 0; t < base.size(); t++) {
      out.add(new NamedTensor(base.get(t).name(), base.get(t).shape(), sums[t]));
    }
    return out;
  }

  /** Whether two parameter lists are of one network: same tensors, names and sizes, in order. */
  static boolean sameShape(List<NamedTensor> a, List<NamedTensor> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int t = 0; t < a.size(); t++) {
      if (!a.get(t).name().equals(b.get(t).name()) || a.get(t).size() != b.get(t).size()) {
        return false;
      }
    }
    return true;
  }

  private static void check(List<NamedTensor> a, List<NamedTensor> b) {
    if (!sameShape(a, b)) {
      throw new IllegalArgumentException("parameters of different networks: " + names(a) + " and " + names(b));
    }
  }

  private static List<String> names(List<NamedTensor> ts) {
    return ts.stream().map(t -> t.name() + t.size()).toList();
  }
}
