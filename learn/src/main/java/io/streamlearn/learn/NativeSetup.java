package io.streamlearn.learn;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide choices about the native code under the engine: which BLAS library JavaCPP loads and
 * how many threads ND4J and the BLAS use. They are JVM-wide (system properties, ND4J's global
 * environment), so the engine never makes them by itself: an application opts in, once, at start-up
 * in its {@code main}, before it builds the first {@link Learner} or {@link Model}. Without any call
 * the engine runs on ND4J's bundled OpenBLAS with ND4J's own thread settings, which is correct, just
 * slower on some machines. Either way the engine logs at INFO, once, which BLAS it loaded
 * ({@link #blasInUse()}: the library file, its version, its threads).
 *
 * <p>Why a system OpenBLAS: ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.19, which predates AMD Zen 4 and
 * falls back to AVX2 kernels there; a newer system OpenBLAS (Debian bookworm ships 0.3.21) picks
 * AVX-512 kernels and is ~30% faster on the products that dominate training. Why one thread: the
 * engine's products are small, and on a small machine extra threads cost more in hand-offs than they
 * gain (ND4J is ~3x slower with the default on 2 cores).
 *
 * <p>streamlearn's own commands ({@code train}, {@code serve}, the demo and the benches) call
 * {@link #applyDefaults()}.
 */
public final class NativeSetup {

  private static final Logger LOG = LoggerFactory.getLogger(NativeSetup.class);

  /** Where distributions install a shared OpenBLAS, first match wins. */
  private static final String[] SYSTEM_DIRS = {
    "/usr/lib/x86_64-linux-gnu/openblas-pthread",
    "/usr/lib/x86_64-linux-gnu/openblas-openmp",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib64",
    "/usr/lib/aarch64-linux-gnu/openblas-pthread",
  };

  private static boolean defaultsApplied;
  /** A thread limit asked for before the natives were loaded, applied when they are; 0 for none. */
  private static int pendingThreads;
  private static boolean nativesLoaded;

  private NativeSetup() {
  }

  /**
   * What streamlearn's services do: prefer a system OpenBLAS when one is installed (unless
   * {@code -Dstreamlearn.blas=bundled}, or the user chose a library with JavaCPP's
   * {@code -Dorg.bytedeco.openblas.load}), and one BLAS/OpenMP thread unless
   * {@code OMP_NUM_THREADS} is set ({@code -Dstreamlearn.threads=N} overrides both). Cheap: nothing
   * native is loaded here; the thread limit is applied when the engine loads its natives.
   * Idempotent.
   *
   * @throws IllegalArgumentException if {@code streamlearn.threads} is not a positive integer
   */
  public static synchronized void applyDefaults() {
    if (defaultsApplied) {
      return;
    }
    defaultsApplied = true;
    String choice = System.getProperty("streamlearn.blas", "system");
    String load = System.getProperty("org.bytedeco.openblas.load");
    if ("system".equals(choice) && load == null) {
      // DEBUG: the one INFO line is the engine's, naming what was really loaded (BlasLibrary)
      preferSystemOpenBlas().ifPresentOrElse(
        dir -> LOG.debug("BLAS: choosing the system OpenBLAS in {} (opt out with -Dstreamlearn.blas=bundled)", dir),
        () -> LOG.debug("BLAS: no system OpenBLAS as new as the bundled one, using ND4J's bundled one"));
    } else {
      LOG.debug("BLAS: keeping ND4J's choice (streamlearn.blas={}, org.bytedeco.openblas.load={})", choice, load);
    }
    String property = System.getProperty("streamlearn.threads");
    if (property == null && System.getenv("OMP_NUM_THREADS") != null) {
      return;
    }
    limitThreads(parseThreads(property));
    if (property == null) {
      LOG.warn("OMP_NUM_THREADS is unset: BLAS/OpenMP threads limited to 1 after start-up, but launch with"
          + " OMP_NUM_THREADS=1 for full speed (idle OpenMP threads still spin); -Dstreamlearn.threads=N overrides");
    }
  }

  private static int parseThreads(String property) {
    if (property == null) {
      return 1;
    }
    try {
      int threads = Integer.parseInt(property.trim());
      if (threads >= 1) {
        return threads;
      }
    } catch (NumberFormatException e) {
      IllegalArgumentException failure = new IllegalArgumentException(
          "streamlearn.threads must be a positive integer, got '" + property + "'");
      failure.initCause(e);
      throw failure;
    }
    throw new IllegalArgumentException("streamlearn.threads must be a positive integer, got '" + property + "'");
  }

  /**
   * Asks JavaCPP to load a system OpenBLAS instead of ND4J's bundled one, through JavaCPP's
   * documented {@code org.bytedeco.openblas.load} switch (this sets that property,
   * {@code org.bytedeco.javacpp.pathsFirst} and {@code java.library.path}). It only takes effect
   * before ND4J first loads its native code, so call it first thing in {@code main}.
   *
   * <p>A system library older than the bundled one is passed over (Ubuntu 20.04 ships OpenBLAS
   * 0.3.8, older than ND4J's 0.3.19): the version compared is the one compiled into each library.
   *
   * @return the directory of the library chosen, or empty if none is installed, none is as new as the
   *         bundled one, or the natives are loaded already (then the bundled library stays, which is
   *         equally correct)
   */
  public static synchronized Optional<Path> preferSystemOpenBlas() {
    if (nativesLoaded) {
      LOG.warn("BLAS: the engine's natives are loaded already; a system OpenBLAS must be chosen before the"
          + " first Learner or Model");
      return Optional.empty();
    }
    for (String dir : SYSTEM_DIRS) {
      Path library = Path.of(dir, "libopenblas.so.0");
      if (Files.isRegularFile(library) && atLeastBundled(library)) {
        System.setProperty("org.bytedeco.openblas.load", "openblas");
        System.setProperty("org.bytedeco.javacpp.pathsFirst", "true");
        String path = System.getProperty("java.library.path", "");
        System.setProperty("java.library.path", path.isEmpty() ? dir : path + File.pathSeparator + dir);
        return Optional.of(Path.of(dir));
      }
    }
    return Optional.empty();
  }

  /**
   * The BLAS the engine runs on: the library file, its version and threads. Loads the engine's
   * natives if that has not happened yet, so the choices above must come first; streamlearn's
   * {@code version} command prints it, and the engine logs it once at INFO when it loads.
   */
  public static BlasLibrary blasInUse() {
    NativeBlas.load();
    return NativeBlas.inUse();
  }

  /** Whether the system library at {@code library} is at least as new as the bundled OpenBLAS. */
  private static boolean atLeastBundled(Path library) {
    String bundled;
    Optional<String> system;
    try {
      bundled = bundledVersion();
      system = BlasLibrary.versionIn(library.toRealPath());
    } catch (IOException e) {
      LOG.debug("BLAS: cannot compare {} with the bundled OpenBLAS, passing it over", library, e);
      return false;
    }
    if (bundled == null || system.isEmpty()) {
      LOG.debug("BLAS: unknown version (bundled {}, {} {}), passing the system library over", bundled, library, system);
      return false;
    }
    // org.bytedeco:openblas versions read 0.3.19-1.5.7: OpenBLAS's version, then JavaCPP's
    String bundledOpenBlas = bundled.split("-", 2)[0];
    boolean newer = compareVersions(system.get(), bundledOpenBlas) >= 0;
    LOG.debug("BLAS: system OpenBLAS {} at {}, bundled {}", system.get(), library, bundledOpenBlas);
    return newer;
  }

  /**
   * The version of the org.bytedeco:openblas artifact on the class path, read from its Maven
   * metadata. Not through JavaCPP's {@code Loader.getVersion}: initialising {@code Loader} this early
   * fixes its view of {@code java.library.path} and {@code pathsFirst} before we set them, and the
   * bundled library would load after all.
   */
  private static String bundledVersion() throws IOException {
    try (InputStream in = NativeSetup.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.bytedeco/openblas/pom.properties")) {
      if (in == null) {
        return null;
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    }
  }

  /** The org.bytedeco:openblas artifact's version (e.g. {@code 0.3.19-1.5.7}), or null if unknown. */
  static String bundledArtifactVersion() {
    try {
      return bundledVersion();
    } catch (IOException e) {
      return null;
    }
  }

  /** Compares dotted numeric versions, {@code 0.3.21} after {@code 0.3.9}. */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int c = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /**
   * Limits ND4J's OpenMP pool and the BLAS to {@code threads} threads, for the whole process. If
   * the engine's natives are not loaded yet, the limit is applied when they are.
   *
   * @throws IllegalArgumentException if {@code threads < 1}
   */
  public static synchronized void limitThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (nativesLoaded) {
      apply(threads);
    } else {
      pendingThreads = threads;
    }
  }

  /** Called once by the engine when it loads its natives: applies a pending thread limit. */
  static synchronized void nativesLoaded() {
    nativesLoaded = true;
    if (pendingThreads > 0) {
      apply(pendingThreads);
      pendingThreads = 0;
    }
  }

  private static void apply(int threads) {
    org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
    org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
    LOG.debug("BLAS/OpenMP threads limited to {}", threads);
  }
}
