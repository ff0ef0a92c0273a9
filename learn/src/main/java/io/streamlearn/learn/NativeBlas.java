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

    /** Chooses the BLAS library; call before the first ND4J use. Idempotent. */
    static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
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
