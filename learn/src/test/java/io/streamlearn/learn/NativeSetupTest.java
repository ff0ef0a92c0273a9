package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NativeSetupTest {

  @Test
  void trainingAndPredictingSetNoSystemPropertyBehindTheCallersBack() {
    // ND4J's own start-up reads the default time zone, which sets user.timezone: not ours to test
    NativeBlas.load();
    Map<Object, Object> before = new HashMap<>(System.getProperties());
    Learner learner = new Learner(new TrainingConfig(NetworkSpec.parse(3, "dense(4,relu) > dense(2,softmax)"),
        Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.01), 2, 1));
    learner.fit(new float[] {1, 2, 3, 3, 2, 1}, new int[] {0, 1}, 2);
    float[] p = learner.snapshot().predict(new float[] {1, 2, 3});
    assertEquals(1f, p[0] + p[1], 1e-6f);
    assertEquals(before, new HashMap<>(System.getProperties()));
  }

  @Test
  void theStartupReportNamesABlasLibraryFileThatExistsWithItsVersionAndThreads() {
    BlasLibrary blas = NativeSetup.blasInUse();
    assertTrue(Files.isRegularFile(blas.file()), "not a file: " + blas);
    String name = blas.file().getFileName().toString();
    assertTrue(name.startsWith("libopenblas") || name.startsWith("libmkl_rt") || name.startsWith("libblas"), name);
    assertTrue(blas.version().matches("\\d+\\.\\d+\\.\\d+"), blas.version());
    assertTrue(blas.threads() >= 1, blas.toString());
    assertTrue(blas.summary().contains(blas.file().toString()), blas.summary());
  }

  @Test
  void theReportedLibraryIsOneThisProcessHasMapped() throws IOException {
    BlasLibrary blas = NativeSetup.blasInUse();
    Path maps = Path.of("/proc/self/maps");
    assumeTrue(Files.isReadable(maps), "no /proc/self/maps on this system");
    assertTrue(Files.readString(maps, StandardCharsets.ISO_8859_1).contains(blas.file().toString()),
        blas.file() + " is not mapped into this process");
  }

  @Test
  void aSystemLibraryOlderThanTheBundledOneLosesTheComparison() {
    assertTrue(NativeSetup.compareVersions("0.3.8", "0.3.19") < 0);
    assertTrue(NativeSetup.compareVersions("0.3.21", "0.3.19") > 0);
    assertEquals(0, NativeSetup.compareVersions("0.3.19", "0.3.19"));
    assertTrue(NativeSetup.compareVersions("0.4", "0.3.30") > 0);
  }

  @Test
  void aThreadLimitBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> NativeSetup.limitThreads(0));
  }
}
