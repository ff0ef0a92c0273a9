package io.streamlearn.learn;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

import io.streamlearn.tensor.Preprocessing;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Where the time of one MLP 784-128-10 forward pass at batch 64 goes: each stage timed alone, then
 * several layouts of the first layer's product. Not a test (no timed assertions); run by hand:
 * {@code OMP_NUM_THREADS=1 java -cp learn/target/classes:learn/target/test-classes:<deps> io.streamlearn.learn.ForwardStages}.
 * Prints microseconds per batch, the best of several rounds.
 */
final class ForwardStages {

  private static final int ROWS = 64;
  private static final int IN = 784;
  private static final int HID = 128;
  private static final int OUT = 10;
  private static final int ROW_MAJOR = 101;
  private static final int N = 111;
  private static final int T = 112;

  private ForwardStages() {
  }

  public static void main(String[] args) throws Exception {
    NativeSetup.applyDefaults();
    NativeBlas.load();
    org.nd4j.linalg.factory.Nd4j.create(1);
    // Image-like inputs (half the pixels zero, the rest in [0, 1)) so that the engine module's
    // harness needs no data set; the products cost the same on any values.
    SplittableRandom random = new SplittableRandom(1);
    int batches = 10_000 / ROWS;
    float[][] inputs = new float[batches][ROWS * IN];
    for (float[] batch : inputs) {
      for (int i = 0; i < batch.length; i++) {
        batch[i] = random.nextBoolean() ? 0f : (float) random.nextDouble();
      }
    }
    float[] w1 = uniform(random, IN * HID, 0.05);
    float[] w1t = transpose(w1, IN, HID);
    float[] b1 = uniform(random, HID, 0.05);
    float[] w2 = uniform(random, HID * OUT, 0.1);
    float[] b2 = uniform(random, OUT, 0.1);
    FloatBuffer w1N = direct(w1);
    FloatBuffer w1tN = direct(w1t);
    FloatBuffer w2N = direct(w2);
    FloatBuffer w2tN = direct(transpose(w2, HID, OUT));
    FloatBuffer xN = Network.allocate(ROWS * IN);
    FloatBuffer zN = Network.allocate(ROWS * HID);
    FloatBuffer hN = Network.allocate(ROWS * HID);
    FloatBuffer lN = Network.allocate(ROWS * OUT);
    float[] h = new float[ROWS * HID];
    float[] logits = new float[ROWS * OUT];
    float[] out = new float[ROWS * OUT];
    int[] at = {0};
    xN.put(0, inputs[0], 0, ROWS * IN);

    System.out.printf(Locale.ROOT, "load average %s; OMP_NUM_THREADS=%s; BLAS %s, %s%n", loadAverage(),
        System.getenv("OMP_NUM_THREADS"), System.getProperty("org.bytedeco.openblas.load", "bundled"),
        System.getenv("OPENBLAS_CORETYPE"));
    boolean gemmOnly = args.length > 0 && args[0].equals("--gemm-only");
    if (!gemmOnly) {
    System.out.println("-- in situ: the current pass stage by stage, a new batch each time (us per batch of 64)");
    String[] names = {"copy input in", "bias rows into z", "sgemm 1 (64x784x128, beta=1)", "relu (get, max, put)",
      "bias rows + sgemm 2 + get logits", "softmax", "total"};
    long[] sums = new long[names.length];
    int passes = 6000;
    for (int i = 0; i < 2 * passes; i++) {
      boolean measure = i >= passes;
      float[] x = inputs[i % batches];
      long t0 = System.nanoTime();
      xN.put(0, x, 0, ROWS * IN);
      long t1 = System.nanoTime();
      for (int r = 0; r < ROWS; r++) {
        zN.put(r * HID, b1, 0, HID);
      }
      long t2 = System.nanoTime();
      gemm(N, N, ROWS, HID, IN, xN, IN, w1N, HID, 1f, zN, HID);
      long t3 = System.nanoTime();
      zN.get(0, h, 0, ROWS * HID);
      for (int k = 0; k < ROWS * HID; k++) {
        h[k] = Math.max(h[k], 0f);
      }
      hN.put(0, h, 0, ROWS * HID);
      long t4 = System.nanoTime();
      for (int r = 0; r < ROWS; r++) {
        lN.put(r * OUT, b2, 0, OUT);
      }
      gemm(N, N, ROWS, OUT, HID, hN, HID, w2N, OUT, 1f, lN, OUT);
      lN.get(0, logits, 0, ROWS * OUT);
      long t5 = System.nanoTime();
      OutputMath.activate(Activation.SOFTMAX, logits, out, ROWS, OUT);
      long t6 = System.nanoTime();
      if (measure) {
        sums[0] += t1 - t0;
        sums[1] += t2 - t1;
        sums[2] += t3 - t2;
        sums[3] += t4 - t3;
        sums[4] += t5 - t4;
        sums[5] += t6 - t5;
        sums[6] += t6 - t0;
      }
    }
    for (int k = 0; k < names.length; k++) {
      System.out.printf(Locale.ROOT, "%8.2f  %s%n", sums[k] / 1e3 / passes, names[k]);
    }
    System.out.println("-- stages of the current forward pass, each alone (us per batch of 64)");
    time("copy input into native (64x784, a new batch each time)", () -> {
      xN.put(0, inputs[at[0]], 0, ROWS * IN);
      at[0] = (at[0] + 1) % batches;
    });
    time("copy input into native (the same batch each time, cache-hot)", () -> xN.put(0, inputs[0], 0, ROWS * IN));
    time("bias rows into z (64x128)", () -> {
      for (int r = 0; r < ROWS; r++) {
        zN.put(r * HID, b1, 0, HID);
      }
    });
    time("sgemm 1, NN, beta=1 (current)", () -> gemm(N, N, ROWS, HID, IN, xN, IN, w1N, HID, 1f, zN, HID));
    time("relu: get z, max, put h (current)", () -> {
      zN.get(0, h, 0, ROWS * HID);
      for (int k = 0; k < ROWS * HID; k++) {
        h[k] = Math.max(h[k], 0f);
      }
      hN.put(0, h, 0, ROWS * HID);
    });
    time("bias rows into logits (64x10)", () -> {
      for (int r = 0; r < ROWS; r++) {
        lN.put(r * OUT, b2, 0, OUT);
      }
    });
    time("sgemm 2, NN, beta=1 (64x128x10)", () -> gemm(N, N, ROWS, OUT, HID, hN, HID, w2N, OUT, 1f, lN, OUT));
    time("get logits", () -> lN.get(0, logits, 0, ROWS * OUT));
    time("softmax (Java), in place on its own output (arguments of exp near 0)",
        () -> OutputMath.activate(Activation.SOFTMAX, logits, logits, ROWS, OUT));
    float[] realLogits = new float[ROWS * OUT];
    for (int r = 0; r < ROWS; r++) {
      lN.put(r * OUT, b2, 0, OUT);
    }
    xN.put(0, inputs[1], 0, ROWS * IN);
    gemm(N, N, ROWS, HID, IN, xN, IN, w1N, HID, 0f, zN, HID);
    zN.get(0, h, 0, ROWS * HID);
    for (int k = 0; k < ROWS * HID; k++) {
      h[k] = Math.max(h[k], 0f);
    }
    hN.put(0, h, 0, ROWS * HID);
    gemm(N, N, ROWS, OUT, HID, hN, HID, w2N, OUT, 1f, lN, OUT);
    lN.get(0, realLogits, 0, ROWS * OUT);
    time("softmax (Java), on real logits into another array",
        () -> OutputMath.activate(Activation.SOFTMAX, realLogits, out, ROWS, OUT));
    time("copy out", () -> System.arraycopy(logits, 0, out, 0, ROWS * OUT));
    FloatBuffer[] coldX = new FloatBuffer[batches];
    for (int b = 0; b < batches; b++) {
      coldX[b] = direct(inputs[b]);
    }
    time("sgemm 1, NN, beta=1, reading x from a new native batch each time (no copy; x from memory)", () -> {
      gemm(N, N, ROWS, HID, IN, coldX[at[0]], IN, w1N, HID, 1f, zN, HID);
      at[0] = (at[0] + 1) % batches;
    });
    NetworkSpec spec = NetworkSpec.parse(IN, "dense(128,relu) > dense(10,softmax)");
    Model model = Model.of(spec, new Layout(spec).toTensors(new Layout(spec).initialParameters(1)), Preprocessing.identity());
    time("whole Model.predict (a new batch each time)", () -> {
      model.predict(inputs[at[0]], ROWS, out);
      at[0] = (at[0] + 1) % batches;
    });

    }
    System.out.println("-- the first product in other layouts (us per call)");
    time("NN beta=0: z = x W", () -> gemm(N, N, ROWS, HID, IN, xN, IN, w1N, HID, 0f, zN, HID));
    time("NN beta=1: z = x W", () -> gemm(N, N, ROWS, HID, IN, xN, IN, w1N, HID, 1f, zN, HID));
    time("NT beta=0: z = x (W^T stored)^T", () -> gemm(N, T, ROWS, HID, IN, xN, IN, w1tN, IN, 0f, zN, HID));
    time("NT beta=1: z = x (W^T stored)^T", () -> gemm(N, T, ROWS, HID, IN, xN, IN, w1tN, IN, 1f, zN, HID));
    time("TT beta=0: z^T = W^T x^T", () -> gemm(T, T, HID, ROWS, IN, w1N, HID, xN, IN, 0f, zN, ROWS));
    time("TT beta=1: z^T = W^T x^T", () -> gemm(T, T, HID, ROWS, IN, w1N, HID, xN, IN, 1f, zN, ROWS));
    time("NT beta=0: z^T = (W^T stored) x^T", () -> gemm(N, T, HID, ROWS, IN, w1tN, IN, xN, IN, 0f, zN, ROWS));
    time("NT beta=1: z^T = (W^T stored) x^T", () -> gemm(N, T, HID, ROWS, IN, w1tN, IN, xN, IN, 1f, zN, ROWS));
    time("NN beta=0, alpha=0.5 (defeats a direct path)", () -> gemm(N, N, ROWS, HID, IN, xN, IN, w1N, HID, 0f, zN, HID, 0.5f));

    if (gemmOnly) {
      return;
    }
    System.out.println("-- fused alternatives for the element-wise work (us per batch)");
    time("relu with bias add fused: get z, max(z+b,0), put h", () -> {
      zN.get(0, h, 0, ROWS * HID);
      for (int r = 0, base = 0; r < ROWS; r++, base += HID) {
        for (int j = 0; j < HID; j++) {
          h[base + j] = Math.max(h[base + j] + b1[j], 0f);
        }
      }
      hN.put(0, h, 0, ROWS * HID);
    });
    time("second layer in Java (64x128x10, from h)", () -> {
      for (int r = 0, base = 0; r < ROWS; r++, base += HID) {
        for (int j = 0; j < OUT; j++) {
          logits[r * OUT + j] = b2[j];
        }
        for (int k = 0; k < HID; k++) {
          float v = h[base + k];
          for (int j = 0; j < OUT; j++) {
            logits[r * OUT + j] += v * w2[k * OUT + j];
          }
        }
      }
    });
    time("sgemm 2 transposed, z2^T = W2^T h^T, beta=0", () -> gemm(N, T, OUT, ROWS, HID, w2tN, HID, hN, HID, 0f, lN, ROWS));
  }

  private static void gemm(int ta, int tb, int m, int n, int k, FloatBuffer a, int lda, FloatBuffer b, int ldb,
               float beta, FloatBuffer c, int ldc) {
    gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, 1f);
  }

  private static void gemm(int ta, int tb, int m, int n, int k, FloatBuffer a, int lda, FloatBuffer b, int ldb,
               float beta, FloatBuffer c, int ldc, float alpha) {
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  private static void time(String what, Runnable stage) {
    int calls = 2000;
    for (int i = 0; i < calls; i++) {
      stage.run();
    }
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        stage.run();
      }
      best = Math.min(best, (System.nanoTime() - start) / 1e3 / calls);
    }
    System.out.printf(Locale.ROOT, "%8.2f  %s%n", best, what);
  }

  private static float[] uniform(SplittableRandom random, int n, double limit) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
    }
    return v;
  }

  private static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  private static FloatBuffer direct(float[] v) {
    FloatBuffer b = Network.allocate(v.length);
    b.put(0, v);
    return b;
  }

  private static String loadAverage() throws java.io.IOException {
    return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
