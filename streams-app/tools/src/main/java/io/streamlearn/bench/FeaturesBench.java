package io.streamlearn.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.config.Settings;
import io.streamlearn.data.Flights;
import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.features.JsonRecordDecoder;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.tensor.SparseRows;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * {@code streamlearn bench features}: the feature pipeline on the Flights data ({@link Flights}).
 *
 * <p>Throughput: raw Flights JSON records decoded and featurized on one thread (the caller's), the
 * 20,000 records cycled to {@code --records} per timed run, best of {@code --repeats} after a
 * warm-up, next to two references measured in the same run on the same bytes: a bare streaming
 * parse (every token read, nothing extracted) and Jackson databind's {@code readTree}.
 *
 * <p>Quality: one pass over the 20,000 flights in time order, label {@code delay>15}, prequential at
 * {@code --batch}: each batch is featurized with the pipeline as it is and scored by the network as
 * it is (test), then the pipeline learns the batch and the network trains on it (train). AUC and log
 * loss over all 20,000 scores, for each network of {@code --networks}, next to scikit-learn's
 * SGDClassifier on the same pass ({@link SklearnReference}, {@code bench/features/flights_sklearn.py}).
 * The network takes the pipeline's rows sparse ({@code Learner.fit(SparseRows, ...)} over the pipeline's layout).
 */
public final class FeaturesBench {
  /** Not "data": STREAMLEARN_DATA is where bin/fetch-data keeps the data sets, a directory. */
  static final String DATA = "flights.file";
  static final String RECORDS = "records";
  static final String REPEATS = "repeats";
  static final String BATCH = "batch";
  static final String NETWORKS = "networks";
  static final String OPTIMIZER = "optimizer";
  static final String SPEC = "spec";
  static final String SCRIPT = "script";
  static final String PYTHON = "python";
  static final String NO_SKLEARN = "no.sklearn";
  static final String SEED = "seed";
  static final String DENSE_CHECK = "dense.check";

  /** The quality rows by default: the best network tried for Flights, then logistic regression (see {@link FlightsQuality}). */
  static final String DEFAULT_NETWORKS = FlightsQuality.DEFAULT_NETWORK + ";" + FlightsQuality.LOGISTIC;

  /** The bench's options. */
  public static final ConfigDef DEF = new ConfigDef()
      .define(DATA, Type.STRING, "", Importance.HIGH, "The flights-20k.json file; empty: "
          + "$STREAMLEARN_DATA/vega-datasets-3.2.1/package/data/flights-20k.json (STREAMLEARN_DATA defaults to ~/.cache/streamlearn).")
      .define(RECORDS, Type.INT, 2_000_000, Range.atLeast(20_000), Importance.MEDIUM,
          "Records per timed throughput run (the 20,000 flights cycled).")
      .define(REPEATS, Type.INT, 3, Range.between(1, 100), Importance.MEDIUM, "Timed runs per throughput figure; the best is kept.")
      .define(BATCH, Type.INT, Flights.BATCH, Range.between(1, 4096), Importance.MEDIUM, "Prequential batch size, both sides.")
      .define(NETWORKS, Type.STRING, DEFAULT_NETWORKS, Importance.MEDIUM,
          "Networks for the quality rows, ';'-separated, each in the network syntax (two softmax outputs).")
      .define(OPTIMIZER, Type.STRING, FlightsQuality.DEFAULT_OPTIMIZER, Importance.MEDIUM, "Optimizer of the quality rows.")
      .define(SEED, Type.LONG, FlightsQuality.SEED, Importance.LOW, "Seed of the quality rows' weight initialisation, both sides.")
      .define(SPEC, Type.STRING, Flights.SPEC, Importance.MEDIUM, "Feature spec of the throughput and quality rows.")
      .define(SCRIPT, Type.STRING, "", Importance.MEDIUM, "The scikit-learn reference, flights_sklearn.py;"
          + " empty: bench/features/flights_sklearn.py searched upwards from the working directory.")
      .define(PYTHON, Type.STRING, "/usr/bin/python3", Importance.MEDIUM, "The Python (with scikit-learn) that runs the reference.")
      .define(NO_SKLEARN, Type.BOOLEAN, false, Importance.MEDIUM, "Skip the scikit-learn reference.")
      .define(DENSE_CHECK, Type.BOOLEAN, false, Importance.LOW, "Also run the first network on dense one-hot rows"
          + " (rows.toDense(), a plain dense network): the sparse path's figures to check against, and its time.");

  private static final JsonFactory FACTORY = JsonFactory.builder().build();
  @SuppressWarnings("unused")
  private static volatile long blackhole;

  private FeaturesBench() {}

  /** Runs the bench with {@code streamlearn bench features} arguments and prints the tables. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    AbstractConfig config = new AbstractConfig(DEF, Settings.ownKeys(Settings.collect(DEF, args, env)), false);
    Path file = config.getString(DATA).isBlank() ? Flights.defaultPath(env) : Path.of(config.getString(DATA));
    List<byte[]> records = Flights.records(file);
    FeatureSpec spec = FeatureSpec.parse(config.getString(SPEC));
    LabelSpec label = LabelSpec.parse(Flights.LABEL);
    int total = config.getInt(RECORDS);
    int repeats = config.getInt(REPEATS);

    Map<String, Double> rates = throughput(records, spec, label, total, repeats);
    double reference = rates.get(STREAMING);
    out.println("Decode + featurize, Flights JSON (" + records.size() + " records cycled to " + total
        + " per run, one thread, best of " + repeats + "; goal >= 500,000 records/s for decode + featurize):");
    out.println(String.format(Locale.ROOT, "  %-64s %14s %10s", "", "records/s", "vs parse"));
    for (Map.Entry<String, Double> row : rates.entrySet()) {
      out.println(String.format(Locale.ROOT, "  %-64s %,14.0f %9.2fx", row.getKey(), row.getValue(), row.getValue() / reference));
    }
    out.println();

    int batch = config.getInt(BATCH);
    List<FlightsQuality.Result> ours = new ArrayList<>();
    for (String network : config.getString(NETWORKS).split(";")) {
      if (!network.isBlank()) {
        ours.add(FlightsQuality.run(records, spec, network.strip(), config.getString(OPTIMIZER), batch, config.getLong(SEED)));
      }
    }
    if (config.getBoolean(DENSE_CHECK) && !ours.isEmpty()) {
      FlightsQuality.Result first = ours.get(0);
      ours.add(FlightsQuality.run(records, spec, first.network(), first.optimizer(), batch, config.getLong(SEED), true));
    }
    SklearnReference.Result sklearn = config.getBoolean(NO_SKLEARN)
        ? SklearnReference.Result.skipped("--no-sklearn")
        : SklearnReference.run(config.getString(PYTHON), config.getString(SCRIPT), file, batch, config.getLong(SEED));
    out.println("Quality, one pass over " + records.size() + " flights in time order, label " + Flights.LABEL
        + ", prequential at batch " + batch + " (base rate 0.2175, constant predictor log loss 0.524; goal AUC >= 0.66, log loss <= 0.505):");
    out.println(String.format(Locale.ROOT, "  %-76s %8s %9s %9s", "", "AUC", "log loss", "seconds"));
    for (FlightsQuality.Result r : ours) {
      out.println(String.format(Locale.ROOT, "  %-76s %8.4f %9.4f %9.2f", "streamlearn " + r.network() + ", " + r.optimizer()
          + (r.dense() ? " (dense rows)" : ""),
          r.auc(), r.logLoss(), r.seconds()));
    }
    if (sklearn.figures().isEmpty()) {
      out.println("  scikit-learn SGDClassifier: " + sklearn.note());
    } else {
      Map<String, Double> f = sklearn.figures();
      out.println(String.format(Locale.ROOT, "  %-76s %8.4f %9.4f %9.2f",
          "scikit-learn SGDClassifier(log_loss, constant 0.01), hashed one-hot", f.get("auc"), f.get("logloss"), f.get("seconds")));
      out.println("  (" + sklearn.note() + ")");
    }
    out.println("  Feature spec: " + spec.text());
    out.println("  Issue's references: scikit-learn AUC 0.624 / log loss 0.510, MOA logistic SGD 0.646 / 0.510, MOA ARF 0.627 / 0.508.");
    return 0;
  }

  static final String STREAMING = "Jackson streaming parse, every token (reference)";
  static final String TREE = "Jackson databind readTree (reference)";

  /** Records per second of each way through the records, in table order. */
  static Map<String, Double> throughput(List<byte[]> records, FeatureSpec spec, LabelSpec label, int total, int repeats) {
    JsonRecordDecoder decoder = JsonRecordDecoder.forPipeline(spec, label, null);
    FeaturePipeline fitted = new FeaturePipeline(spec, label, 2);
    records.forEach(r -> fitted.learn(decoder.decode(r)));
    FrozenPipeline frozen = fitted.freeze();
    ObjectMapper mapper = new ObjectMapper();
    SparseRows rows = new SparseRows(frozen.layout(), 1024);

    Map<String, Double> rates = new LinkedHashMap<>();
    rates.put(STREAMING, best(repeats, total, records, bytes -> {
      long tokens = 0;
      try (JsonParser parser = FACTORY.createParser(bytes)) {
        while (parser.nextToken() != null) {
          tokens++;
        }
      }
      return tokens;
    }));
    rates.put(TREE, best(repeats, total, records, bytes -> {
      JsonNode tree = mapper.readTree(bytes);
      return tree.size();
    }));
    rates.put("decode (JsonRecordDecoder, " + (spec.fields().size() + 1) + " paths)", best(repeats, total, records,
        bytes -> decoder.decode(bytes).value("origin") == null ? 0 : 1));
    rates.put("decode + featurize (FrozenPipeline, inference)", best(repeats, total, records, bytes -> {
      if (rows.rows() == 1024) {
        rows.clear();
      }
      frozen.featurize(decoder.decode(bytes), rows);
      return rows.rows();
    }));
    FeaturePipeline training = frozen.thaw();
    rates.put("decode + label + learn + featurize (FeaturePipeline, training)", best(repeats, total, records, bytes -> {
      if (rows.rows() == 1024) {
        rows.clear();
      }
      return training.learnAndFeaturize(decoder.decode(bytes), rows).classIndex();
    }));
    return rates;
  }

  /** One record's work, returning something that depends on it so that the JIT cannot drop it. */
  private interface Work {
    long apply(byte[] record) throws IOException;
  }

  private static double best(int repeats, int total, List<byte[]> records, Work work) {
    double best = 0;
    long sink = 0;
    for (int run = 0; run <= repeats; run++) { // run 0 warms up
      long start = System.nanoTime();
      try {
        for (int i = 0, r = 0; i < total; i++, r = r + 1 == records.size() ? 0 : r + 1) {
          sink += work.apply(records.get(r));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      double rate = total / ((System.nanoTime() - start) / 1e9);
      if (run > 0) {
        best = Math.max(best, rate);
      }
    }
    blackhole = sink; // the results are used, so the JIT cannot drop the work
    return best;
  }
}
