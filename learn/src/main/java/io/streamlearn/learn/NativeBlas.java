package io.streamlearn.learn;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BLAS behind ND4J, called directly for matrix products.
 *
 * <p>Why direct: {@code Nd4j.gemm} costs 10-20 µs of op set-up per call on top of the product, which
 * is most of the time of the small products of a dense network; {@code cblas_sgemm} through the
 * JavaCPP binding that ND4J itself ships and loads costs well under a microsecond.
 *
 * <p>Why the system OpenBLAS: ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.19, which predates AMD Zen 4 and
 * falls back to AVX2 kernels there; a newer system OpenBLAS (Debian bookworm ships 0.3.21) picks
 * AVX-512 kernels and is ~30% faster on the products that dominate training. So unless the user chose
 * a BLAS already ({@code -Dorg.bytedeco.openblas.load=...}) or opted out with
 * {@code -Dstreamlearn.blas=bundled}, we ask JavaCPP to load the system library when one is installed,
 * using JavaCPP's documented {@code org.bytedeco.openblas.load} switch. This only takes effect if it
 * runs before ND4J first loads its native code; otherwise the bundled library is used, which is
 * equally correct.
 */
final class NativeBlas {

    private static final Logger LOG = LoggerFactory.getLogger(NativeBlas.class);

    /** Where distributions install a shared OpenBLAS, first match wins. */
    private static final String[] SYSTEM_DIRS = {
        "/usr/lib/x86_64-linux-gnu/openblas-pthread",
        "/usr/lib/x86_64-linux-gnu/openblas-openmp",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib64",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread",
    };

    static final int ROW_MAJOR = 101;
    static final int NO_TRANS = 111;
    static final int TRANS = 112;

    private static volatile boolean configured;

    private NativeBlas() {
    }

    /** Chooses the BLAS library and thread count; call before the first ND4J use. Idempotent. */
    static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
        chooseLibrary();
        limitThreads();
    }

    /**
     * One BLAS/OpenMP thread unless told otherwise: the engine's products are small, and on a small
     * machine extra threads cost more in hand-offs than they gain (ND4J is ~3x slower with the
     * default on 2 cores). {@code OMP_NUM_THREADS} or {@code -Dstreamlearn.threads=N} override it.
     * This only limits threads after ND4J started its OpenMP pool with one per core, whose idle
     * threads still spin for a while and steal the JIT's core; launchers should therefore still set
     * {@code OMP_NUM_THREADS=1} (measured on 2 cores: MLP training ~40k ex/s without it, ~160k with it).
     */
    private static void limitThreads() {
        String property = System.getProperty("streamlearn.threads");
        if (property == null && System.getenv("OMP_NUM_THREADS") != null) {
            return;
        }
        int threads;
        try {
            threads = property == null ? 1 : Integer.parseInt(property.trim());
        } catch (NumberFormatException e) {
            IllegalArgumentException failure = new IllegalArgumentException(
                    "streamlearn.threads must be a positive integer, got '" + property + "'");
            failure.initCause(e);
            throw failure;
        }
        if (threads < 1) {
            throw new IllegalArgumentException("streamlearn.threads must be a positive integer, got '" + property + "'");
        }
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
        org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
        LOG.warn("OMP_NUM_THREADS is unset: BLAS/OpenMP threads limited to {} after start-up, but launch with"
                + " OMP_NUM_THREADS=1 for full speed (idle OpenMP threads still spin); -Dstreamlearn.threads=N overrides", threads);
    }

    private static void chooseLibrary() {
        String choice = System.getProperty("streamlearn.blas", "system");
        if (!"system".equals(choice) || System.getProperty("org.bytedeco.openblas.load") != null) {
            LOG.debug("BLAS: keeping ND4J's choice (streamlearn.blas={}, org.bytedeco.openblas.load={})",
                    choice, System.getProperty("org.bytedeco.openblas.load"));
            return;
        }
        for (String dir : SYSTEM_DIRS) {
            if (Files.isRegularFile(Path.of(dir, "libopenblas.so.0"))) {
                System.setProperty("org.bytedeco.openblas.load", "openblas");
                System.setProperty("org.bytedeco.javacpp.pathsFirst", "true");
                String path = System.getProperty("java.library.path", "");
                System.setProperty("java.library.path", path.isEmpty() ? dir : path + java.io.File.pathSeparator + dir);
                LOG.info("BLAS: using the system OpenBLAS in {} (opt out with -Dstreamlearn.blas=bundled)", dir);
                return;
            }
        }
        LOG.debug("BLAS: no system OpenBLAS found, using ND4J's bundled one");
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
