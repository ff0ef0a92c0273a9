package io.streamlearn.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.streamlearn.onnx.OnnxExporter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * An exported model in ONNX Runtime, called the way the engine's {@code Model.predict(x, rows, out)}
 * is: features in a Java array, scores into a Java array, so both sides pay for the same copies.
 *
 * <p>One intra-op and one inter-op thread, sequential execution, all graph optimizations: the
 * engine runs a call on the caller's thread with a one-thread BLAS, so ORT gets one thread too.
 * Inputs and outputs are direct buffers bound once per batch size (ORT's pinned outputs), so a call
 * costs a copy in, {@code run}, a copy out; no per-call tensor allocation or {@code float[][]}
 * conversion is timed, which would be Java-binding overhead rather than ORT's.
 *
 * <p>Not thread-safe: the bench calls it from one thread.
 */
final class OrtRunner implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final int features;
  private final int outputs;
  private final Map<Integer, Bound> bound = new HashMap<>();

  /** The direct buffers and tensors of one batch size. */
  private record Bound(FloatBuffer in, FloatBuffer out, Map<String, OnnxTensor> inputs,
      Map<String, OnnxTensor> pinned) {
  }

  /**
   * @param onnx     a model written by {@link OnnxExporter} (input {@value OnnxExporter#INPUT}
   *                 {@code [N, features]}, output {@value OnnxExporter#OUTPUT} {@code [N, outputs]})
   * @param features the model's input width
   * @param outputs  the model's output width
   * @throws OrtException if ONNX Runtime cannot load the model
   */
  OrtRunner(byte[] onnx, int features, int outputs) throws OrtException {
    if (features < 1 || outputs < 1) {
      throw new IllegalArgumentException("features and outputs must be >= 1, got " + features + " and " + outputs);
    }
    this.env = OrtEnvironment.getEnvironment();
    this.features = features;
    this.outputs = outputs;
    try (OrtSession.SessionOptions options = options()) {
      this.session = env.createSession(onnx, options);
    }
  }

  /** The session options of the bench: one thread each way, sequential, every optimization. */
  static OrtSession.SessionOptions options() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    options.setInterOpNumThreads(1);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    return options;
  }

  /**
   * The scores of {@code rows} rows of {@code x} (row-major, {@code rows * features} values) into
   * {@code out} ({@code rows * outputs} values).
   */
  void run(float[] x, int rows, float[] out) throws OrtException {
    if (rows < 1 || x.length < rows * features || out.length < rows * outputs) {
      throw new IllegalArgumentException("run needs rows >= 1, x of rows*" + features + " and out of rows*" + outputs
          + " values, got rows=" + rows + " x=" + x.length + " out=" + out.length);
    }
    Bound b = bound.get(rows);
    if (b == null) {
      b = bind(rows);
      bound.put(rows, b);
    }
    b.in().put(0, x, 0, rows * features);
    try (OrtSession.Result ignored = session.run(b.inputs(), b.pinned())) {
      // the scores are in b.out(); the result owns nothing pinned, closing it frees nothing of ours
      b.out().get(0, out, 0, rows * outputs);
    }
  }

  private Bound bind(int rows) throws OrtException {
    FloatBuffer in = direct(rows * features);
    FloatBuffer out = direct(rows * outputs);
    OnnxTensor input = OnnxTensor.createTensor(env, in, new long[] {rows, features});
    OnnxTensor output = OnnxTensor.createTensor(env, out, new long[] {rows, outputs});
    return new Bound(in, out, Map.of(OnnxExporter.INPUT, input), Map.of(OnnxExporter.OUTPUT, output));
  }

  private static FloatBuffer direct(int size) {
    return ByteBuffer.allocateDirect(size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  @Override
  public void close() throws OrtException {
    for (Bound b : bound.values()) {
      b.inputs().values().forEach(OnnxTensor::close);
      b.pinned().values().forEach(OnnxTensor::close);
    }
    bound.clear();
    session.close();
  }
}
