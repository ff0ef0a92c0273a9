package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlasLibraryTest {

  @TempDir
  Path dir;

  @Test
  void theVersionIsReadFromTheConfigurationStringOpenBlasCompilesIn() throws IOException {
    byte[] noise = new byte[100_000];
    new Random(42).nextBytes(noise);
    Path lib = dir.resolve("libopenblas.so.0");
    byte[] config = "OpenBLAS warning: ...\0OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH\0".getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = new byte[noise.length + config.length + noise.length];
    System.arraycopy(noise, 0, bytes, 0, noise.length);
    System.arraycopy(config, 0, bytes, noise.length, config.length);
    System.arraycopy(noise, 0, bytes, noise.length + config.length, noise.length);
    Files.write(lib, bytes);
    assertEquals(Optional.of("0.3.21"), BlasLibrary.versionIn(lib));
  }

  @Test
  void withoutAConfigurationStringTheFileNameGivesTheVersionOrNothing() throws IOException {
    Path named = Files.write(dir.resolve("libopenblasp-r0.3.26.so"), new byte[64]);
    Path anonymous = Files.write(dir.resolve("libblas.so.3"), new byte[64]);
    assertEquals(Optional.of("0.3.26"), BlasLibrary.versionIn(named));
    assertEquals(Optional.empty(), BlasLibrary.versionIn(anonymous));
  }

  @Test
  void theMappedBlasFilesAreTheLibrariesOnceEachWithoutJavaCppsJniWrappers() {
    List<String> maps = List.of(
        "7f00-7f01 r--p 00000000 08:01 1 /root/.javacpp/cache/x86_64-linux-gnu/libopenblas_nolapack.so.0",
        "7f01-7f02 r-xp 00001000 08:01 1 /root/.javacpp/cache/x86_64-linux-gnu/libopenblas_nolapack.so.0",
        "7f02-7f03 r-xp 00000000 08:01 2 /root/.javacpp/cache/openblas.jar/libjniopenblas_nolapack.so",
        "7f03-7f04 r-xp 00000000 08:01 3 /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so",
        "7f04-7f05 rw-p 00000000 00:00 0 [heap]",
        "7f05-7f06 r-xp 00000000 08:01 4 /usr/lib/x86_64-linux-gnu/libgomp.so.1");
    List<Path> files = BlasLibrary.mappedBlasFiles(maps);
    assertEquals(List.of(Path.of("/root/.javacpp/cache/x86_64-linux-gnu/libopenblas_nolapack.so.0"),
        Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so")), files);
    // JavaCPP's copy of the system library in its cache is not what names the library: the system file is
    assertEquals(Optional.of(Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so")),
        BlasLibrary.primary(files, Path.of("/root/.javacpp/cache")));
  }

  @Test
  void theSummarySaysWhereTheLibraryComesFromItsVersionAndThreads() {
    BlasLibrary system = new BlasLibrary(Path.of("/usr/lib/libopenblasp-r0.3.21.so"), "0.3.21", true, 1);
    BlasLibrary bundled = new BlasLibrary(Path.of("/c/libopenblas.so.0"), "0.3.19", false, 2);
    assertEquals("system OpenBLAS 0.3.21 /usr/lib/libopenblasp-r0.3.21.so, 1 thread", system.summary());
    assertEquals("bundled (JavaCPP) OpenBLAS 0.3.19 /c/libopenblas.so.0, 2 threads", bundled.summary());
  }

  @Test
  void aReportWithNegativeThreadsOrABlankVersionIsRefused() {
    Path file = Path.of("/usr/lib/libopenblas.so.0");
    assertThrows(IllegalArgumentException.class, () -> new BlasLibrary(file, "0.3.21", true, -1));
    assertThrows(IllegalArgumentException.class, () -> new BlasLibrary(file, " ", true, 1));
    assertTrue(new BlasLibrary(file, "unknown", true, 1).summary().contains("unknown"));
  }

  @Test
  void threadsNobodySetAreSaidToBeOpenBlassOwnDefault() {
    BlasLibrary unset = new BlasLibrary(Path.of("/usr/lib/libopenblas.so.0"), "0.3.21", true, 0);
    assertEquals("system OpenBLAS 0.3.21 /usr/lib/libopenblas.so.0, OpenBLAS's default threads", unset.summary());
  }
}
