package io.streamlearn.features;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pipeline has fitted, by field index: running count, mean and sum of squared deviations
 * (Welford) for numeric fields, the vocabulary (value to slot, slots in order of first sight) for
 * category fields, and the label classes. The mutable pipeline updates one; a frozen pipeline holds
 * a copy it never changes.
 */
final class PipelineState {

  final long[] count;
  final double[] mean;
  final double[] m2;
  private final List<Map<String, Integer>> slots;
  private final List<List<String>> vocabularies;
  private final List<String> classes;
  private final Map<String, Integer> classIndex;

  PipelineState(int fields) {
    count = new long[fields];
    mean = new double[fields];
    m2 = new double[fields];
    slots = new ArrayList<>(fields);
    vocabularies = new ArrayList<>(fields);
    for (int f = 0; f < fields; f++) {
      slots.add(new HashMap<>());
      vocabularies.add(new ArrayList<>());
    }
    classes = new ArrayList<>();
    classIndex = new HashMap<>();
  }

  /** A deep copy. */
  PipelineState copy() {
    PipelineState copy = new PipelineState(count.length);
    System.arraycopy(count, 0, copy.count, 0, count.length);
    System.arraycopy(mean, 0, copy.mean, 0, mean.length);
    System.arraycopy(m2, 0, copy.m2, 0, m2.length);
    for (int f = 0; f < count.length; f++) {
      for (String value : vocabularies.get(f)) {
        copy.admit(f, value, Integer.MAX_VALUE);
      }
    }
    for (String name : classes) {
      copy.addClass(name);
    }
    return copy;
  }

  /** Adds a numeric observation (NaN: missing, not counted). */
  void observe(int field, double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return;
    }
    long n = ++count[field];
    double delta = x - mean[field];
    mean[field] += delta / n;
    m2[field] += delta * (x - mean[field]);
  }

  /** Restores the statistics of a numeric field. */
  void setStats(int field, long n, double mu, double sumSquares) {
    count[field] = n;
    mean[field] = mu;
    m2[field] = sumSquares;
  }

  /** Standard deviation (population) of a numeric field; 1 before two values or when they are all equal. */
  double std(int field) {
    if (count[field] < 2 || m2[field] <= 0) {
      return 1;
    }
    return Math.sqrt(m2[field] / count[field]);
  }

  /**
   * {@code (x - mean) / std} of a numeric field; 0 until two different values have been learned.
   * Not {@code x - mean} on a scale of 1: before the scale is known, a distance of 1750 miles would
   * reach the network as 1750 and saturate it, which cost the Flights pass 0.02-0.04 of log loss,
   * more or less depending on the initial weights.
   */
  double standardize(int field, double x) {
    if (count[field] < 2 || m2[field] <= 0) {
      return 0;
    }
    return (x - mean[field]) / Math.sqrt(m2[field] / count[field]);
  }

  /** Gives {@code value} the next slot of a category field if it has none and fewer than {@code capacity} are taken. */
  void admit(int field, String value, int capacity) {
    Map<String, Integer> map = slots.get(field);
    if (map.size() < capacity && !map.containsKey(value)) {
      map.put(value, map.size());
      vocabularies.get(field).add(value);
    }
  }

  /** Value to slot of a category field. */
  Map<String, Integer> vocabulary(int field) {
    return slots.get(field);
  }

  /** The values of a category field in slot order. */
  List<String> vocabularyList(int field) {
    return Collections.unmodifiableList(vocabularies.get(field));
  }

  /** Appends a label class, returning its index. */
  int addClass(String name) {
    classIndex.put(name, classes.size());
    classes.add(name);
    return classes.size() - 1;
  }

  /** The index of a label class, or -1. */
  int classOf(String name) {
    Integer index = classIndex.get(name);
    return index == null ? -1 : index;
  }

  List<String> classes() {
    return Collections.unmodifiableList(classes);
  }
}
