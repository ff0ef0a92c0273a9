package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link NativeBlas#gemm} against a triple loop, on the sgemm path and the one-row sgemv path. */
class NativeBlasTest {

  private static FloatBuffer random(int size, SplittableRandom random) {
    FloatBuffer b = Network.allocate(size);
    for (int i = 0; i < size; i++) {
      b.put(i, (float) random.nextDouble(-1, 1));
    }
    return b;
  }

  /** alpha * op(A) op(B) + beta * C, row-major, in double. */
  private static double[] reference(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatBuffer a,
      FloatBuffer b, float beta, FloatBuffer c) {
    double[] out = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          double x = transA ? a.get(p * m + i) : a.get(i * k + p);
          double y = transB ? b.get(j * k + p) : b.get(p * n + j);
          sum += x * y;
        }
        out[i * n + j] = alpha * sum + beta * c.get(i * n + j);
      }
    }
    return out;
  }

  private static void assertMatchesTheTripleLoop(int m, int n, int k) {
    SplittableRandom random = new SplittableRandom(31L * m + n + k);
    for (boolean transA : new boolean[] {false, true}) {
      for (boolean transB : new boolean[] {false, true}) {
        FloatBuffer a = random(m * k, random);
        FloatBuffer b = random(k * n, random);
        FloatBuffer c = random(m * n, random);
        double[] expected = reference(transA, transB, m, n, k, 0.5f, a, b, 0.25f, c);
        NativeBlas.gemm(transA, transB, m, n, k, 0.5f, a, b, 0.25f, c);
        for (int i = 0; i < m * n; i++) {
          assertEquals(expected[i], c.get(i), 1e-5,
              "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " at " + i);
        }
      }
    }
  }

  @Test
  void aSingleRowProductGivesTheTripleLoopsValuesForEveryTransposition() {
    assertMatchesTheTripleLoop(1, 13, 37);
    assertMatchesTheTripleLoop(1, 1, 5);
  }

  @Test
  void aManyRowProductGivesTheTripleLoopsValuesForEveryTransposition() {
    assertMatchesTheTripleLoop(7, 13, 37);
  }
}
