package io.streamlearn.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/** Runs an ONNX file in ONNX Runtime (one intra-op thread), as a consumer of an export would. */
final class Ort {
  private Ort() {}

  /** The {@code scores} of {@code rows} rows of {@code features}. */
  static float[] run(byte[] onnx, float[] x, int rows, int features) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(onnx, options);
           OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x, 0, rows * features),
               new long[] {rows, features});
           OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, input))) {
        float[][] scores = (float[][]) result.get(OnnxExporter.OUTPUT).orElseThrow().getValue();
        float[] flat = new float[rows * scores[0].length];
        for (int r = 0; r < rows; r++) {
          System.arraycopy(scores[r], 0, flat, r * scores[0].length, scores[0].length);
        }
        return flat;
      }
    }
  }

  /** The model's metadata_props as ONNX Runtime reads them. */
  static Map<String, String> metadata(byte[] onnx) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
      return session.getMetadata().getCustomMetadata();
    }
  }
}
