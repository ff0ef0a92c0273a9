package io.streamlearn.learn;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.tensor.SparseRows;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;


/**
 * An immutable, thread-safe, inference-only network: a spec, its parameters and the frozen
 * preprocessing of its inputs. Never changes after construction; concurrent callers each get their
 * own preallocated buffers (one set per thread) over the shared read-only parameters.
 *
 * <p>A model is built for a {@link FeatureLayout} ({@link #features()}): dense by default. Over a
 * layout with sparse fields, {@link #predict(SparseRows, float[])} is the fast path (the first layer
 * gathers one weight row per sparse entry, or the {@code embedding(dim)} table's rows), the frozen
 * preprocessing scales the dense columns only ({@code features() == denseWidth}), and the
 * {@code float[]} methods read one-hot rows of {@code totalWidth} floats (dense columns raw, then
 * the sparse slots) and convert them. Parameters are named and shaped as {@link Learner#parameters()}
 * says, so a learner's parameters give the model that predicts as the learner does.
 */
public final class Model {

  /** Rows per forward pass of a dense network; larger calls are processed in chunks of this size. */
  static final int CHUNK = 256;
  /**
   * Floats per buffer a convolutional network's workspace may hold: a conv layer's patches are
   * {@code positions x k*k*C} per example (tens of thousands of floats), so its chunk is smaller.
   */
  static final int IMAGE_BUFFER_FLOATS = 1 << 20;

  private final NetworkSpec spec;
  private final Layout layout;
  private final FeatureLayout features;
  /** With sparse fields: the parameter layout, and the inner network's parameters; else null. */
  private final SparseLayout sparse;
  private final float[] innerFlat;
  private final Preprocessing preprocessor;
  private final boolean identity;
  private final float[] flat;
  private final FloatBuffer nativeParams;
  /** Rows per forward pass. */
  private final int chunk;
  /**
   * Idle per-call buffers. A pool rather than a ThreadLocal so the native buffers live and die with
   * this model: inference swaps models often, and thread-local entries of a dropped model would
   * linger in long-lived stream threads.
   */
  private final ConcurrentLinkedQueue<Workspace> idle = new ConcurrentLinkedQueue<>();

  /** Per-thread buffers. */
  private static final class Workspace {
    final Network network;
    final SparseNetwork sparseNetwork;
    final float[] input;
    final float[] logits;
    /** One-hot rows converted for a sparse model's float[] methods. */
    SparseRows converted;

    Workspace(Network network, int chunk, int inputs, int outputs) {
      this.network = network;
      this.sparseNetwork = null;
      this.input = new float[chunk * inputs];
      this.logits = new float[chunk * outputs];
    }

    Workspace(SparseNetwork network, int outputs) {
      this.network = null;
      this.sparseNetwork = network;
      this.input = null;
      this.logits = new float[CHUNK * outputs];
    }
  }

  private Model(NetworkSpec spec, Layout layout, float[] flat, Preprocessing preprocessor) {
    this.spec = spec;
    this.layout = layout;
    this.features = FeatureLayout.dense(spec.inputs());
    this.sparse = null;
    this.innerFlat = null;
    this.preprocessor = preprocessor;
    this.identity = preprocessor.isIdentity();
    this.flat = flat;
    NativeBlas.load();
    this.nativeParams = Network.allocate(layout.weightCount);
    nativeParams.put(0, flat, 0, layout.weightCount);
    int widest = layout.widestStageBuffer();
    this.chunk = widest == 0 ? CHUNK : Math.max(1, Math.min(CHUNK, IMAGE_BUFFER_FLOATS / widest));
  }

  private Model(SparseLayout sparse, float[] flat, Preprocessing preprocessor) {
    this.spec = sparse.spec;
    this.layout = sparse.inner;
    this.features = sparse.features;
    this.sparse = sparse;
    this.preprocessor = preprocessor;
    this.identity = preprocessor.isIdentity();
    this.flat = flat;
    this.innerFlat = sparse.innerOf(flat);
    this.chunk = CHUNK;
    NativeBlas.load();
    this.nativeParams = Network.allocate(layout.weightCount);
    nativeParams.put(0, innerFlat, 0, layout.weightCount);
  }

  /**
   * A model over featurized rows of {@code features} (whose total width must be the spec's inputs),
   * from parameters named as {@link Learner#parameters()} names them. With a dense layout this is
   * {@link #of(NetworkSpec, List, Preprocessing)}; with sparse fields the preprocessing, if not the
   * identity, scales the {@code denseWidth} dense columns only.
   *
   * @throws IllegalArgumentException on a layout of another width, an embedding without sparse
   *                                  fields, or as {@link #of(NetworkSpec, List, Preprocessing)}
   */
  public static Model of(NetworkSpec spec, List<NamedTensor> parameters, Preprocessing preprocessor,
      FeatureLayout features) {
    if (spec == null || features == null) {
      throw new IllegalArgumentException("spec and features must not be null");
    }
    if (features.totalWidth() != spec.inputs()) {
      throw new IllegalArgumentException("feature layout is " + features.totalWidth() + " wide, the network takes "
          + spec.inputs() + " inputs");
    }
    if (!features.hasSparse()) {
      return of(spec, parameters, preprocessor);
    }
    SparseLayout sparse = new SparseLayout(spec, features);
    return ofSparse(sparse, sparse.fromTensors(parameters), preprocessor);
  }

  static Model ofSparse(SparseLayout sparse, float[] flat, Preprocessing preprocessor) {
    if (preprocessor == null) {
      throw new IllegalArgumentException("preprocessing must not be null (use Preprocessing.identity())");
    }
    preprocessor.requireFinite();
    int dense = sparse.features.denseWidth();
    if (!preprocessor.isIdentity() && preprocessor.features() != dense) {
      throw new IllegalArgumentException("preprocessing has " + preprocessor.features() + " features; over sparse"
          + " fields it scales the " + dense + " dense columns only");
    }
    return new Model(sparse, flat, preprocessor);
  }

  /**
   * A model from named parameters ({@code layers.<i>.weight} {@code [in, out]}, {@code layers.<i>.bias} {@code [out]}).
   *
   * @throws IllegalArgumentException naming the tensor that is missing, unknown, misshapen or not finite,
   *                                  or if the preprocessing is not finite or its width is not the spec's input
   *                                  count (identity fits any)
   */
  public static Model of(NetworkSpec spec, List<NamedTensor> parameters, Preprocessing preprocessor) {
    if (spec == null) {
      throw new IllegalArgumentException("spec must not be null");
    }
    if (spec.hasEmbedding()) {
      throw new IllegalArgumentException("network " + spec.text() + " has an embedding: give its FeatureLayout");
    }
    Layout layout = new Layout(spec);
    return ofFlat(spec, layout, layout.fromTensors(parameters), preprocessor);
  }

  /** As {@link #of(NetworkSpec, List, Preprocessing)} for a network that takes its inputs as they are. */
  public static Model of(NetworkSpec spec, List<NamedTensor> parameters) {
    if (spec == null) {
      throw new IllegalArgumentException("spec must not be null");
    }
    return of(spec, parameters, Preprocessing.identity());
  }

  static Model ofFlat(NetworkSpec spec, Layout layout, float[] flat, Preprocessing preprocessor) {
    if (preprocessor == null) {
      throw new IllegalArgumentException("preprocessing must not be null (use Preprocessing.identity())");
    }
    preprocessor.requireFinite();
    if (!preprocessor.isIdentity() && preprocessor.features() != spec.inputs()) {
      throw new IllegalArgumentException("preprocessing has " + preprocessor.features() + " features, the network "
          + spec.inputs() + " inputs");
    }
    return new Model(spec, layout, flat, preprocessor);
  }

  /** The architecture. */
  public NetworkSpec spec() {
    return spec;
  }

  /** The frozen input preprocessing. */
  public Preprocessing preprocessing() {
    return preprocessor;
  }

  /** Copies of the parameters. */
  public List<NamedTensor> parameters() {
    return sparse != null ? sparse.toTensors(flat) : layout.toTensors(flat);
  }

  /** The shape of an example this model reads: dense columns and sparse fields. */
  public FeatureLayout features() {
    return features;
  }

  /** Number of input features. */
  public int inputs() {
    return spec.inputs();
  }

  /** Number of outputs per row. */
  public int outputs() {
    return layout.outputs();
  }

  /**
   * Rows computed per forward pass: a call with more rows runs as passes of at most this many
   * ({@value #CHUNK} for a dense network, fewer for an image network, whose patch buffers are large).
   */
  public int rowsPerPass() {
    return chunk;
  }

  /**
   * Outputs (class probabilities for a softmax network, regression values otherwise) for
   * {@code rows} rows of raw features; applies the preprocessor first. Thread-safe.
   *
   * @param x   {@code rows * inputs} raw features, row-major
   * @param out receives {@code rows * outputs} values
   */
  public void predict(float[] x, int rows, float[] out) {
    int ins = spec.inputs();
    int outs = layout.outputs();
    if (rows < 1 || x == null || x.length < rows * ins || out == null || out.length < rows * outs) {
      throw new IllegalArgumentException("predict needs rows >= 1, x of rows*inputs and out of rows*outputs values, got rows="
          + rows + " x=" + (x == null ? "null" : x.length) + " out=" + (out == null ? "null" : out.length));
    }
    Workspace ws = workspace();
    try {
      if (sparse != null) {
        if (ws.converted == null) {
          ws.converted = new SparseRows(features, CHUNK);
        }
        for (int start = 0; start < rows; start += CHUNK) {
          int n = Math.min(CHUNK, rows - start);
          SparseLearner.fromDense(x, start, n, ws.converted);
          forward(ws, ws.converted, n, out, start * outs);
        }
      } else {
        forward(ws, x, rows, out);
      }
    } finally {
      idle.offer(ws);
    }
  }

  private Workspace workspace() {
    Workspace ws = idle.poll();
    if (ws != null) {
      return ws;
    }
    if (sparse != null) {
      return new Workspace(new SparseNetwork(sparse, innerFlat, nativeParams, false, CHUNK, 0L), layout.outputs());
    }
    return new Workspace(new Network(layout, flat, nativeParams, false, chunk, 0L), chunk, spec.inputs(),
        layout.outputs());
  }

  /**
   * Outputs for every row of a featurized batch (raw dense columns: the preprocessing is applied,
   * as by {@link #predict(float[], int, float[])}). Thread-safe; {@code x} is only read.
   *
   * @param x   rows in this model's {@link #features()} layout
   * @param out receives {@code x.rows() * outputs} values
   */
  public void predict(SparseRows x, float[] out) {
    if (x == null || !x.layout().equals(features)) {
      throw new IllegalArgumentException("x must be rows of layout " + features + ", got "
          + (x == null ? "null" : x.layout()));
    }
    int rows = x.rows();
    int outs = layout.outputs();
    if (rows < 1 || out == null || out.length < rows * outs) {
      throw new IllegalArgumentException("predict needs rows >= 1 and out of rows*outputs values, got rows="
          + rows + " out=" + (out == null ? "null" : out.length));
    }
    if (sparse == null) {
      predict(x.dense(), rows, out);
      return;
    }
    Workspace ws = workspace();
    try {
      forward(ws, x, rows, out, 0);
    } finally {
      idle.offer(ws);
    }
  }

  private void forward(Workspace ws, SparseRows x, int rows, float[] out, int outOffset) {
    int outs = layout.outputs();
    for (int start = 0; start < rows; start += CHUNK) {
      int n = Math.min(CHUNK, rows - start);
      ws.sparseNetwork.forward(x, start, n, flat, preprocessor, ws.logits, 0);
      OutputMath.activate(layout.activation(layout.last), ws.logits, ws.logits, n, outs);
      System.arraycopy(ws.logits, 0, out, outOffset + start * outs, n * outs);
    }
  }

  private void forward(Workspace ws, float[] x, int rows, float[] out) {
    int ins = spec.inputs();
    int outs = layout.outputs();
    for (int start = 0; start < rows; start += chunk) {
      int n = Math.min(chunk, rows - start);
      if (identity) {
        ws.network.forward(x, start * ins, n, ws.logits, 0);
      } else {
        System.arraycopy(x, start * ins, ws.input, 0, n * ins);
        preprocessor.apply(ws.input, n);
        ws.network.forward(ws.input, 0, n, ws.logits, 0);
      }
      OutputMath.activate(layout.activation(layout.last), ws.logits, ws.logits, n, outs);
      System.arraycopy(ws.logits, 0, out, start * outs, n * outs);
    }
  }

  /**
   * Runs a few forward passes on zeros so the first real request does not pay for buffer
   * allocation and JIT compilation (call before swapping this model in). Returns this model.
   */
  public Model warmUp() {
    float[] x = new float[spec.inputs() * 8];
    float[] out = new float[layout.outputs() * 8];
    for (int i = 0; i < 200; i++) {
      predict(x, 1 + (i % 8), out);
    }
    for (int k = 0; k < out.length; k++) {
      if (!Float.isFinite(out[k])) {
        throw new IllegalStateException("model " + spec.text() + " produced a non-finite output " + out[k] + " on zeros");
      }
    }
    return this;
  }

  /** Outputs for one example of raw features. */
  public float[] predict(float[] x) {
    if (x == null || x.length != spec.inputs()) {
      throw new IllegalArgumentException("x must hold " + spec.inputs() + " features, got " + (x == null ? "null" : x.length));
    }
    float[] out = new float[layout.outputs()];
    predict(x, 1, out);
    return out;
  }

  /** Index of the largest output of each row (the predicted class), for {@code rows} rows of probabilities. */
  public static void argmax(float[] probabilities, int rows, int outputs, int[] classes) {
    for (int r = 0, base = 0; r < rows; r++, base += outputs) {
      int best = 0;
      for (int j = 1; j < outputs; j++) {
        if (probabilities[base + j] > probabilities[base + best]) {
          best = j;
        }
      }
      classes[r] = best;
    }
  }

  @Override
  public String toString() {
    return "Model[" + spec.text() + ", inputs=" + spec.inputs() + (sparse != null ? ", " + features : "") + "]";
  }
}
