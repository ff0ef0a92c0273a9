package io.streamlearn.learn;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Map;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BLAS behind ND4J, called directly for matrix products.
 *
 * <p>Why direct: {@code Nd4j.gemm} costs 10-20 µs of op set-up per call on top of the product, which
 * is most of the time of the small products of a dense network; {@code cblas_sgemm} through the
 * JavaCPP binding that ND4J itself ships and loads costs well under a microsecond.
 *
 * <p>Which library that is, and how many threads it uses, is the application's choice
 * ({@link NativeSetup}); this class only loads ND4J when the engine first needs it and says, once,
 * which BLAS it got.
 */
final class NativeBlas {

  private static final Logger LOG = LoggerFactory.getLogger(NativeBlas.class);

  static final int ROW_MAJOR = 101;
  static final int NO_TRANS = 111;
  static final int TRANS = 112;

  static {
    // Load ND4J's natives (and the BLAS with them) now, so that the line below names what is in use.
    Nd4j.getEnvironment();
    LOG.info("BLAS: {}", describe());
    NativeSetup.nativesLoaded();
  }

  private NativeBlas() {
  }

  /** Loads the natives if that has not happened yet (the class initialiser does the work). */
  static void load() {
    // nothing: calling a static method runs the initialiser once
  }

  /** The BLAS library JavaCPP loaded, with its file when JavaCPP knows it. */
  static String describe() {
    String chosen = System.getProperty("org.bytedeco.openblas.load");
    String file = null;
    for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
      // the library itself, not JavaCPP's JNI wrapper around it
      if (!e.getKey().startsWith("jni") && (e.getKey().contains("openblas") || e.getKey().contains("mkl_rt"))) {
        file = e.getValue();
      }
    }
    String version;
    try {
      version = Loader.getVersion("org.bytedeco", "openblas");
    } catch (IOException e) {
      version = "unknown";
    }
    String which = chosen == null ? "ND4J's bundled OpenBLAS (org.bytedeco:openblas " + version + ")"
        : "'" + chosen + "' as chosen by org.bytedeco.openblas.load";
    return file == null ? which : which + " from " + file;
  }

  /**
   * Row-major {@code C = alpha * op(A) op(B) + beta * C} on direct buffers (each positioned at 0 at
   * the start of its matrix), with {@code op(A)} of shape {@code m x k} and {@code op(B)} {@code k x n}.
   */
  static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
           FloatBuffer a, FloatBuffer b, float beta, FloatBuffer c) {
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
        m, n, k, alpha, a, lda, b, ldb, beta, c, n);
  }

  /** A direct view of {@code length} floats of {@code buffer} from {@code offset}, positioned at 0. */
  static FloatBuffer slice(FloatBuffer buffer, int offset, int length) {
    return buffer.duplicate().position(offset).limit(offset + length).slice();
  }
}
