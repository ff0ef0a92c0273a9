package io.streamlearn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/fetch-data} with a stand-in {@code npm} on the PATH (no network): it unpacks the
 * package where {@link FlightsData} looks, is quiet and does not call npm again once the data is
 * there, and exits 0, saying why, when npm fails or is missing.
 */
class FetchDataScriptTest {
  private static final Path SCRIPT = Path.of("..", "..", "bin", "fetch-data").toAbsolutePath().normalize();

  @TempDir
  Path tmp;
  private Path bin;
  private Path calls;

  record Run(int status, String output) {}

  @BeforeEach
  void fakeNpm() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")) && Files.isExecutable(Path.of("/bin/tar")),
        "needs bash and tar");
    bin = Files.createDirectories(tmp.resolve("bin"));
    calls = tmp.resolve("npm-calls");
    // The tarball npm pack would write: package/data/flights-20k.json and flights-3m.parquet.
    Path pkg = Files.createDirectories(tmp.resolve("src/package/data"));
    Files.writeString(pkg.resolve("flights-20k.json"), "[{\"delay\":66,\"origin\":\"DTW\"}]");
    Files.writeString(pkg.resolve("flights-3m.parquet"), "PAR1");
    Path tgz = tmp.resolve("vega-datasets-3.2.1.tgz");
    assertEquals(0, new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", tmp.resolve("src").toString(),
        "package").inheritIO().start().waitFor());
    script("npm", "echo \"$@\" >> '" + calls + "'\n"
        + "[ \"$1\" = pack ] && [ \"${FAKE_NPM_FAILS:-}\" != 1 ] && cp '" + tgz + "' . && exit 0\n"
        + "echo 'npm ERR! network request failed' >&2; exit 1\n");
  }

  @Test
  void unpacksThePackageWhereFlightsDataLooksAndIsQuietTheSecondTime() throws Exception {
    Map<String, String> env = Map.of("STREAMLEARN_DATA", tmp.resolve("data").toString());
    Run first = run(env);
    assertEquals(0, first.status(), first.output());
    assertEquals(List.of("pack --silent --fetch-retries=2 vega-datasets@3.2.1"), Files.readAllLines(calls));
    Path flights = FlightsData.flights20k(env).orElseThrow(() -> new AssertionError(first.output()));
    assertEquals("[{\"delay\":66,\"origin\":\"DTW\"}]", Files.readString(flights));
    assertTrue(Files.isRegularFile(flights.resolveSibling("flights-3m.parquet")));

    Run second = run(env);
    assertEquals(0, second.status());
    assertEquals("", second.output(), "quiet when present");
    assertEquals(1, Files.readAllLines(calls).size(), "npm is not asked again");
  }

  @Test
  void anUnreachableRegistryOrNoNpmIsNoFailure() throws Exception {
    Map<String, String> env = Map.of("STREAMLEARN_DATA", tmp.resolve("data").toString(), "FAKE_NPM_FAILS", "1");
    Run failed = run(env);
    assertEquals(0, failed.status(), failed.output());
    assertTrue(failed.output().contains("npm pack vega-datasets@3.2.1 failed")
        && failed.output().contains("network request failed"), failed.output());
    assertFalse(FlightsData.flights20k(env).isPresent());
    try (var left = Files.list(tmp.resolve("data"))) {
      assertEquals(0, left.count(), "no half-written directory stays behind");
    }

    Files.delete(bin.resolve("npm"));
    Run missing = run(env, "/usr/bin/nonexistent");
    assertEquals(0, missing.status(), missing.output());
    assertTrue(missing.output().contains("npm is not installed"), missing.output());
    assertTrue(FlightsData.missing(env).contains("./streamlearn fetch-data"));
  }

  private Run run(Map<String, String> env) throws Exception {
    return run(env, "/usr/bin:/bin");
  }

  private Run run(Map<String, String> env, String systemPath) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("/bin/bash", SCRIPT.toString()).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("PATH", bin + ":" + systemPath);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script finishes");
    return new Run(p.exitValue(), output);
  }

  private void script(String name, String body) throws IOException {
    Path f = bin.resolve(name);
    Files.writeString(f, "#!/bin/bash\n" + body);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
