package io.streamlearn.learn;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * at INFO, which BLAS it got ({@link BlasLibrary}: the file, its version, its threads).
 */
final class NativeBlas {

  private static final Logger LOG = LoggerFactory.getLogger(NativeBlas.class);

  static final int ROW_MAJOR = 101;
  static final int NO_TRANS = 111;
  static final int TRANS = 112;

  private static final BlasLibrary IN_USE;

  static {
    // Load ND4J's natives (and the BLAS with them), apply the thread limit, then say once what runs.
    Nd4j.getEnvironment();
    NativeSetup.nativesLoaded();
    IN_USE = inspect();
    LOG.info("BLAS: {} (OpenMP max threads {})", IN_USE.summary(), Nd4j.getEnvironment().maxThreads());
  }

  private NativeBlas() {
  }

  /** Loads the natives if that has not happened yet (the class initialiser does the work). */
  static void load() {
    // nothing: calling a static method runs the initialiser once
  }

  /** The BLAS library the products run on, as found when the natives were loaded. */
  static BlasLibrary inUse() {
    return IN_USE;
  }

  /**
   * What the process mapped: {@code /proc/self/maps} where there is one (Linux), else the files
   * JavaCPP says it loaded.
   */
  private static BlasLibrary inspect() {
    Path cache;
    try {
      cache = Loader.getCacheDir().toPath().toRealPath();
    } catch (IOException e) {
      throw new IllegalStateException("JavaCPP's cache directory is unreadable after loading from it", e);
    }
    List<Path> mapped = BlasLibrary.mappedBlasFiles(selfMaps());
    if (mapped.isEmpty()) {
      mapped = new ArrayList<>();
      for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
        // the library itself, not JavaCPP's JNI wrapper around it
        if (!e.getKey().startsWith("jni") && (e.getKey().contains("openblas") || e.getKey().contains("mkl_rt"))
            && e.getValue() != null) {
          mapped.add(realPath(Path.of(e.getValue())));
        }
      }
    }
    Path file = BlasLibrary.primary(mapped, cache)
        .orElseThrow(() -> new IllegalStateException("ND4J loaded no BLAS library that this process can see"));
    String version;
    try {
      version = BlasLibrary.versionIn(file).orElse("unknown");
    } catch (IOException e) {
      LOG.debug("cannot read the version from {}", file, e);
      version = "unknown";
    }
    // ND4J's BLAS wrapper sets OpenBLAS's threads at start-up and NativeSetup may have limited them
    // since; this is the count JavaCPP last set, the one OpenBLAS runs with.
    // 0 or less: nothing set them (ND4J_SKIP_BLAS_THREADS), OpenBLAS's own default applies
    int threads = Math.max(0, Nd4j.factory().blas().getMaxThreads());
    // JavaCPP sometimes copies the system library into its cache rather than linking it: a cached file
    // whose version is not the bundled artifact's is that copy, a library of the system.
    String bundled = NativeSetup.bundledArtifactVersion();
    boolean system = !file.startsWith(cache)
        || (bundled != null && !version.equals("unknown") && !bundled.startsWith(version + "-"));
    return new BlasLibrary(file, version, system, threads);
  }

  private static List<String> selfMaps() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return List.of();
    }
    try {
      return Files.readAllLines(maps, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      LOG.debug("cannot read {}, asking JavaCPP instead", maps, e);
      return List.of();
    }
  }

  private static Path realPath(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      LOG.debug("cannot resolve {}", path, e);
      return path;
    }
  }

  /**
   * Row-major {@code C = alpha * op(A) op(B) + beta * C} on direct buffers (each positioned at 0 at
   * the start of its matrix), with {@code op(A)} of shape {@code m x k} and {@code op(B)} {@code k x n}.
   */
  static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
           FloatBuffer a, FloatBuffer b, float beta, FloatBuffer c) {
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    if (m == 1) {
      // One row (a single example): OpenBLAS's sgemm runs a 1 x 784 x 128 product in ~21 us and its
      // sgemv the same product in ~4 us (0.3.21, one thread), so a vector times a matrix goes to
      // gemv. op(A) is then k contiguous values whichever way A is stored (lda is 1 or k).
      // Row-major C = a B is B^T a for B stored k x n, and B a for B stored n x k (transB).
      openblas_nolapack.cblas_sgemv(ROW_MAJOR, transB ? NO_TRANS : TRANS, transB ? n : k, transB ? k : n, alpha,
          b, ldb, a, 1, beta, c, 1);
      return;
    }
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
        m, n, k, alpha, a, lda, b, ldb, beta, c, n);
  }

  /** A direct view of {@code length} floats of {@code buffer} from {@code offset}, positioned at 0. */
  static FloatBuffer slice(FloatBuffer buffer, int offset, int length) {
    return buffer.duplicate().position(offset).limit(offset + length).slice();
  }
}
