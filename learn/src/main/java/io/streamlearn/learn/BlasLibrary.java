package io.streamlearn.learn;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BLAS library the engine's matrix products run on, as the operating system mapped it into this
 * process: the file, the version built into it, whether it is a library of the system or the one
 * JavaCPP unpacked from ND4J's jars, and how many threads it uses.
 *
 * <p>Why the mapped file and not JavaCPP's own bookkeeping: with {@code org.bytedeco.openblas.load}
 * JavaCPP links a system library into its cache under the bundled library's name (and sometimes copies
 * it there), so the name JavaCPP reports says neither where the code came from nor which version it is.
 * The mapping does, and the version comes from the string OpenBLAS compiles into itself (what
 * {@code openblas_get_config()} returns starts with it; JavaCPP's openblas preset binds neither that
 * function nor {@code openblas_get_corename()}).
 *
 * @param file the library file, symbolic links resolved
 * @param version the OpenBLAS version built into the file, e.g. {@code 0.3.21}, or {@code unknown}
 * @param system true if the file lies outside JavaCPP's cache (a library the system installed)
 * @param threads the BLAS's thread count as last set through JavaCPP (ND4J sets it at start-up), or 0
 *        if nothing set it (with {@code ND4J_SKIP_BLAS_THREADS}), when OpenBLAS's own default applies
 */
public record BlasLibrary(Path file, String version, boolean system, int threads) {

  /** {@code OpenBLAS 0.3.21 DYNAMIC_ARCH ...}: the start of OpenBLAS's compiled-in configuration. */
  private static final Pattern CONFIG = Pattern.compile("OpenBLAS (\\d+\\.\\d+\\.\\d+)");
  private static final Pattern FILE_VERSION = Pattern.compile("-r(\\d+\\.\\d+\\.\\d+)");
  private static final byte[] MARKER = "OpenBLAS ".getBytes(StandardCharsets.US_ASCII);

  /** Validates the fields. */
  public BlasLibrary {
    Objects.requireNonNull(file, "file");
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("version must not be blank, got '" + version + "'");
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, got " + threads);
    }
  }

  /**
   * One line for a log or a terminal, e.g. {@code system OpenBLAS 0.3.21
   * /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so, 1 thread}.
   */
  public String summary() {
    String name = file.getFileName().toString().contains("mkl") ? "MKL" : "OpenBLAS";
    String count = threads == 0 ? "OpenBLAS's default threads" : threads + (threads == 1 ? " thread" : " threads");
    return (system ? "system " : "bundled (JavaCPP) ") + name + " " + version + " " + file + ", " + count;
  }

  /**
   * The BLAS files among the lines of {@code /proc/self/maps}, in the order first mapped, each once;
   * JavaCPP's JNI wrappers ({@code libjniopenblas*.so}) are not BLAS and are left out.
   */
  static List<Path> mappedBlasFiles(List<String> mapsLines) {
    List<Path> files = new ArrayList<>();
    for (String line : mapsLines) {
      int slash = line.indexOf('/');
      if (slash < 0) {
        continue;
      }
      String path = line.substring(slash).replace(" (deleted)", "");
      String name = path.substring(path.lastIndexOf('/') + 1);
      boolean blas = name.startsWith("libopenblas") || name.startsWith("libmkl_rt") || name.startsWith("libblas.so");
      if (blas && !files.contains(Path.of(path))) {
        files.add(Path.of(path));
      }
    }
    return files;
  }

  /**
   * Of the mapped BLAS files, the one that names what runs: a system library if any is mapped (JavaCPP
   * may also map a copy of it from its cache), else the first.
   */
  static Optional<Path> primary(List<Path> mapped, Path cacheDir) {
    return mapped.stream().filter(p -> !p.startsWith(cacheDir)).findFirst()
        .or(() -> mapped.stream().findFirst());
  }

  /**
   * The OpenBLAS version compiled into {@code file}, from its configuration string, else from a file
   * name such as {@code libopenblasp-r0.3.21.so}; empty if neither says.
   *
   * @throws IOException if the file cannot be read
   */
  static Optional<String> versionIn(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      // a library is far below 2 GB; a larger file is not one we are asked about
      MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE));
      int limit = bytes.limit() - MARKER.length - 16;
      for (int i = 0; i < limit; i++) {
        if (bytes.get(i) == 'O' && startsWithMarker(bytes, i)) {
          byte[] candidate = new byte[MARKER.length + 16];
          bytes.get(i, candidate);
          Matcher m = CONFIG.matcher(new String(candidate, StandardCharsets.US_ASCII));
          if (m.lookingAt()) {
            return Optional.of(m.group(1));
          }
        }
      }
    }
    Matcher m = FILE_VERSION.matcher(file.getFileName().toString());
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static boolean startsWithMarker(MappedByteBuffer bytes, int at) {
    for (int j = 1; j < MARKER.length; j++) {
      if (bytes.get(at + j) != MARKER[j]) {
        return false;
      }
    }
    return true;
  }
}
