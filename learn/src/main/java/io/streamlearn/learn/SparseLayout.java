package io.streamlearn.learn;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.NamedTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where the parameters of a network over a {@link FeatureLayout} with sparse fields sit, and how the
 * part of it that is an ordinary dense network (run by {@link Network}) is carved out. Immutable.
 *
 * <p>The network is split in two: a sparse stage owning a <em>table</em> of rows (one per sparse
 * slot), and an inner dense {@link Network} behind it.
 * <ul>
 *   <li>Without an embedding, the table is the sparse slots' rows of the first dense layer's weight
 *       {@code layers.0.weight} {@code [totalWidth, units0]}. The logical flat vector is the one a
 *       dense network of {@code totalWidth} inputs has ({@link Layout}: every weight, then every bias),
 *       so a checkpoint's optimizer state keeps its shape; the table is the slice
 *       {@code [denseWidth * units0, totalWidth * units0)} of it. The inner network takes the dense
 *       block ({@code denseWidth} inputs) and its first weight is the prefix rows; the stage adds the
 *       gather-and-sum of table rows to the first pre-activation.</li>
 *   <li>With {@code embedding(dim)}, the table is {@code layers.0.weight} {@code [sparseWidth, dim]}
 *       and comes first in the flat vector, followed by the inner network's flat vector (its weights,
 *       then its biases), whose layers are the spec's layers 1.. and keep their names
 *       {@code layers.<i>.*}. The inner network takes {@code denseWidth + fields * dim} inputs.</li>
 * </ul>
 * In both cases the inner network's flat vector is the logical one with the table's slice cut out
 * (plus, when there is no dense column and no embedding, one zero row in front, because a network
 * needs at least one input: the stage feeds it a zero column, so that row never matters).
 */
final class SparseLayout {

  /** Keras' default {@code Embedding} initialiser is uniform on this range. */
  static final double EMBEDDING_INIT = 0.05;

  final NetworkSpec spec;
  final FeatureLayout features;
  final boolean embedding;
  /** Width of a table row: the first layer's units, or the embedding's dim. */
  final int rowWidth;
  final int tableRows;
  final int tableOffset;
  final int tableEnd;
  /** The network behind the sparse stage. */
  final Layout inner;
  /** Zero floats in front of the inner flat vector (a phantom input row, see the class comment). */
  final int pad;
  final int total;
  final int weightCount;
  /** Per sparse slot, its field (for the embedding's output position). */
  private final int[] fieldEnd;

  SparseLayout(NetworkSpec spec, FeatureLayout features) {
    if (!features.hasSparse()) {
      throw new IllegalArgumentException("a sparse layout needs sparse fields, got " + features);
    }
    if (features.totalWidth() != spec.inputs()) {
      throw new IllegalArgumentException("feature layout is " + features.totalWidth() + " wide, network "
          + spec.text() + " takes " + spec.inputs() + " inputs");
    }
    this.spec = spec;
    this.features = features;
    this.embedding = spec.hasEmbedding();
    this.tableRows = features.sparseWidth();
    int fields = features.sparseFields().size();
    this.fieldEnd = new int[fields];
    for (int f = 0, end = 0; f < fields; f++) {
      end += features.sparseFields().get(f).size();
      fieldEnd[f] = end;
    }
    if (embedding) {
      this.rowWidth = ((LayerSpec.Embedding) spec.layers().get(0)).dim();
      List<LayerSpec> rest = spec.layers().subList(1, spec.layers().size());
      this.inner = new Layout(new NetworkSpec(features.denseWidth() + fields * rowWidth, rest));
      this.pad = 0;
      this.tableOffset = 0;
      this.tableEnd = checkedSize((long) tableRows * rowWidth);
      this.total = checkedSize((long) tableEnd + inner.total);
      this.weightCount = tableEnd + inner.weightCount;
    } else {
      if (!(spec.layers().get(0) instanceof LayerSpec.Dense first)) {
        throw new IllegalArgumentException("over sparse inputs the first layer must be dense or an embedding, got "
            + spec.layers().get(0).text() + " in " + spec.text());
      }
      this.rowWidth = first.units();
      Layout logical = new Layout(spec);
      this.inner = new Layout(new NetworkSpec(Math.max(1, features.denseWidth()), spec.layers()));
      this.pad = features.denseWidth() == 0 ? rowWidth : 0;
      this.tableOffset = features.denseWidth() * rowWidth;
      this.tableEnd = checkedSize((long) features.totalWidth() * rowWidth);
      this.total = logical.total;
      this.weightCount = logical.weightCount;
    }
  }

  private static int checkedSize(long n) {
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("too many parameters: " + n);
    }
    return (int) n;
  }

  /** Width of the inner network's input rows. */
  int innerInputs() {
    return inner.spec.inputs();
  }

  int outputs() {
    return inner.outputs();
  }

  Activation outputActivation() {
    return inner.activation(inner.last);
  }

  /** The sparse field holding sparse-block slot {@code slot} (fields are few: a linear scan). */
  int fieldOf(int slot) {
    int f = 0;
    while (slot >= fieldEnd[f]) {
      f++;
    }
    return f;
  }

  /** Copies the logical vector's non-table parameters into the inner network's vector. */
  void toInner(float[] logical, float[] innerFlat) {
    System.arraycopy(logical, 0, innerFlat, pad, tableOffset);
    System.arraycopy(logical, tableEnd, innerFlat, pad + tableOffset, total - tableEnd);
  }

  /** Copies the inner network's vector (parameters or gradients) into the logical one, table excluded. */
  void fromInner(float[] innerFlat, float[] logical) {
    System.arraycopy(innerFlat, pad, logical, 0, tableOffset);
    System.arraycopy(innerFlat, pad + tableOffset, logical, tableEnd, total - tableEnd);
  }

  /** A fresh inner vector for {@code logical}. */
  float[] innerOf(float[] logical) {
    float[] innerFlat = new float[inner.total];
    toInner(logical, innerFlat);
    return innerFlat;
  }

  /**
   * Seeded initial parameters. Without an embedding exactly those of the dense network over
   * {@code totalWidth} inputs (so the sparse and one-hot paths start alike); with one, the table
   * from its own stream, then the inner layers as a dense network over the embedding's output.
   */
  float[] initialParameters(long seed) {
    if (!embedding) {
      return new Layout(spec).initialParameters(seed);
    }
    float[] flat = new float[total];
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    for (int k = 0; k < tableEnd; k++) {
      flat[k] = (float) ((random.nextDouble() * 2.0 - 1.0) * EMBEDDING_INIT);
    }
    float[] innerFlat = inner.initialParameters(seed);
    System.arraycopy(innerFlat, 0, flat, tableEnd, inner.total);
    return flat;
  }

  /** Named tensors, as {@link Learner#parameters()} documents them. */
  List<NamedTensor> toTensors(float[] flat) {
    if (!embedding) {
      return new Layout(spec).toTensors(flat);
    }
    List<NamedTensor> result = new ArrayList<>();
    float[] table = new float[tableEnd];
    System.arraycopy(flat, 0, table, 0, tableEnd);
    result.add(new NamedTensor(Layout.weightName(0), new int[] {tableRows, rowWidth}, table));
    float[] innerFlat = new float[inner.total];
    System.arraycopy(flat, tableEnd, innerFlat, 0, inner.total);
    for (NamedTensor t : inner.toTensors(innerFlat)) {
      result.add(new NamedTensor(shifted(t.name(), 1), t.shape(), t.data()));
    }
    return result;
  }

  /** The logical flat vector from named tensors, checked as {@link Layout#fromTensors} checks. */
  float[] fromTensors(List<NamedTensor> tensors) {
    if (!embedding) {
      return new Layout(spec).fromTensors(tensors);
    }
    if (tensors == null) {
      throw new IllegalArgumentException("parameters must not be null");
    }
    Map<String, NamedTensor> byName = new HashMap<>();
    List<NamedTensor> rest = new ArrayList<>();
    for (NamedTensor t : tensors) {
      if (t == null) {
        throw new IllegalArgumentException("parameters must not contain null");
      }
      if (byName.put(t.name(), t) != null) {
        throw new IllegalArgumentException("parameter " + t.name() + " is given twice");
      }
      if (!t.name().equals(Layout.weightName(0))) {
        String name = t.name().startsWith("layers.") ? shifted(t.name(), -1) : t.name();
        rest.add(new NamedTensor(name, t.shape(), t.data()));
      }
    }
    NamedTensor table = byName.get(Layout.weightName(0));
    if (table == null) {
      throw new IllegalArgumentException("parameter " + Layout.weightName(0) + " (the embedding table) is missing");
    }
    if (!table.hasShape(tableRows, rowWidth)) {
      throw new IllegalArgumentException("parameter " + Layout.weightName(0) + " has shape "
          + java.util.Arrays.toString(table.shape()) + ", expected [" + tableRows + ", " + rowWidth + "]");
    }
    float[] data = table.data();
    for (int k = 0; k < data.length; k++) {
      if (!Float.isFinite(data[k])) {
        throw new IllegalArgumentException("parameter " + table.name() + " has a non-finite value " + data[k]
            + " at index " + k);
      }
    }
    float[] flat = new float[total];
    System.arraycopy(data, 0, flat, 0, tableEnd);
    float[] innerFlat;
    try {
      innerFlat = inner.fromTensors(rest);
    } catch (IllegalArgumentException e) {
      // the inner network counts its layers from 0; say it in the spec's numbering
      throw new IllegalArgumentException(e.getMessage() + " (counting the layers after the embedding from 0: the"
          + " spec's layer i+1 is named layers.i there)", e);
    }
    System.arraycopy(innerFlat, 0, flat, tableEnd, inner.total);
    return flat;
  }

  /** {@code layers.<i>.rest} with i moved by {@code by}; other names unchanged. */
  private static String shifted(String name, int by) {
    int dot = name.indexOf('.', "layers.".length());
    if (!name.startsWith("layers.") || dot < 0) {
      return name;
    }
    try {
      int i = Integer.parseInt(name.substring("layers.".length(), dot));
      return "layers." + (i + by) + name.substring(dot);
    } catch (NumberFormatException e) {
      return name;
    }
  }
}
