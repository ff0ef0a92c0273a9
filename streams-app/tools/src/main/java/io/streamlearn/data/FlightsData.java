package io.streamlearn.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the Flights data set is: the npm package {@code vega-datasets} {@value #VERSION} that
 * {@code bin/fetch-data} (also {@code ./streamlearn fetch-data}, run by {@code .ci/run}) unpacks
 * into {@code ${STREAMLEARN_DATA:-$HOME/.cache/streamlearn}/vega-datasets-3.2.1/package/data}.
 *
 * <p>{@code flights-20k.json} is one JSON array of 20,000 records {@code {"date": "2001/01/01
 * 00:47", "delay": 66, "distance": 1750, "origin": "DTW", "destination": "LAS"}} in time order.
 * The package's {@code flights-3m.parquet} (the same fields, 3 million flights, written by Polars)
 * is not read: every Parquet reader on Maven Central either pulls Hadoop (parquet-java) or needs
 * Java 21 (Hardwood), so runs that want more than 20,000 records cycle the 20k set.
 */
public final class FlightsData {
  /** The vega-datasets release the data comes from. */
  public static final String VERSION = "3.2.1";
  /** The 20,000-flight file's name in the package's data directory. */
  public static final String FLIGHTS_20K = "flights-20k.json";

  private FlightsData() {}

  /** The package's data directory for this environment ({@code STREAMLEARN_DATA} or the home cache). */
  public static Path dataDir(Map<String, String> env) {
    String base = env.get("STREAMLEARN_DATA");
    Path root = base != null && !base.isBlank() ? Path.of(base)
        : Path.of(System.getProperty("user.home"), ".cache", "streamlearn");
    return root.resolve("vega-datasets-" + VERSION).resolve("package").resolve("data");
  }

  /** {@code flights-20k.json} when it is present. */
  public static Optional<Path> flights20k(Map<String, String> env) {
    // bin/fetch-data moves the unpacked package into place in one rename: a file there is whole.
    Path file = dataDir(env).resolve(FLIGHTS_20K);
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  /** What a test or bench that needs the data says when it skips. */
  public static String missing(Map<String, String> env) {
    return "the Flights data set is not at " + dataDir(env) + " (run ./streamlearn fetch-data, which "
        + "needs npm and the npm registry; STREAMLEARN_DATA moves it); skipping";
  }
}
