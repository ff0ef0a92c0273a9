package io.streamlearn.bench;

import io.streamlearn.config.Settings;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.tensor.SparseRows;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * {@code streamlearn bench sparse}: what the engine's sparse path saves on a Flights-like layout
 * (5 dense columns; fields origin of 501 slots and destination of 4096, a few active entries each),
 * Adam at batch 256, one thread. Each network is trained on the same generated batches twice in the
 * same run: as {@link SparseRows} (the gather-and-sum first layer, lazy updates of the touched rows)
 * and as the one-hot rows ({@link SparseRows#toDense()}, converted before timing) through the dense
 * path, which multiplies the zeros. An {@code embedding(16)} has no dense equivalent; its reference
 * row is the dense layer of the same output width over the one-hot rows ({@code dense(32)}: 2 fields
 * x 16), which is what the embedding would cost computed densely. Forward-only rows (a {@link Model}
 * at batch 256) follow. The figures are examples per second, best of the repeats.
 */
public final class SparseBench {
  static final String SECONDS = "seconds";
  static final String REPEATS = "repeats";
  static final String ENTRIES = "entries";

  /** The bench's options. */
  public static final ConfigDef DEF = new ConfigDef()
      .define(SECONDS, Type.DOUBLE, 2.0, Range.between(0.1, 600), Importance.MEDIUM,
          "Seconds per timed run (at least 10 batches).")
      .define(REPEATS, Type.INT, 3, Range.between(1, 100), Importance.MEDIUM, "Timed runs per row; the best is kept.")
      .define(ENTRIES, Type.INT, 2, Range.between(1, 64), Importance.MEDIUM, "Active entries per sparse field and row.");

  static final FeatureLayout FLIGHTS = new FeatureLayout(5, List.of(
      new FeatureLayout.SparseField("origin", 501), new FeatureLayout.SparseField("destination", 4096)));
  private static final int BATCH = 256;
  private static final int BATCHES = 16;
  private static final String MLP = "dense(64,relu) > dense(2,softmax)";
  private static final String EMBEDDING = "embedding(16) > dense(64,relu) > dense(2,softmax)";
  private static final String EMBEDDING_DENSE = "dense(32) > dense(64,relu) > dense(2,softmax)";

  private SparseBench() {
  }

  /** Runs the bench with {@code streamlearn bench sparse} arguments and prints the table. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    AbstractConfig config = new AbstractConfig(DEF, Settings.ownKeys(Settings.collect(DEF, args, env)), false);
    double seconds = config.getDouble(SECONDS);
    int repeats = config.getInt(REPEATS);
    int entries = config.getInt(ENTRIES);
    String loadBefore = loadAverage();
    SplittableRandom random = new SplittableRandom(42);
    List<SparseRows> sparse = new ArrayList<>();
    List<float[]> oneHot = new ArrayList<>();
    List<int[]> labels = new ArrayList<>();
    for (int b = 0; b < BATCHES; b++) {
      SparseRows rows = batch(random, entries);
      sparse.add(rows);
      oneHot.add(rows.toDense());
      int[] y = new int[BATCH];
      for (int r = 0; r < BATCH; r++) {
        y[r] = random.nextInt(5) == 0 ? 1 : 0;
      }
      labels.add(y);
    }
    int width = FLIGHTS.totalWidth();
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"network", "input", "train ex/s", "predict ex/s", "ratio to one-hot"});

    Learner mlpSparse = learner(MLP, FLIGHTS);
    Learner mlpDense = learner(MLP, FeatureLayout.dense(width));
    double trainSparse = best(repeats, seconds, b -> mlpSparse.fit(sparse.get(b), labels.get(b), 0, null));
    double trainDense = best(repeats, seconds, b -> mlpDense.fit(oneHot.get(b), labels.get(b), BATCH));
    Model mlpSparseModel = mlpSparse.snapshot();
    Model mlpDenseModel = Model.of(NetworkSpec.parse(width, MLP), mlpSparse.parameters(), Preprocessing.identity());
    float[] out2 = new float[BATCH * 2];
    double predictSparse = best(repeats, seconds, b -> mlpSparseModel.predict(sparse.get(b), out2));
    double predictDense = best(repeats, seconds, b -> mlpDenseModel.predict(oneHot.get(b), BATCH, out2));
    table.add(row(MLP, "sparse rows", trainSparse, predictSparse, trainSparse / trainDense));
    table.add(row(MLP, "one-hot rows (dense path)", trainDense, predictDense, 1.0));

    Learner embSparse = learner(EMBEDDING, FLIGHTS);
    Learner embDense = learner(EMBEDDING_DENSE, FeatureLayout.dense(width));
    double trainEmb = best(repeats, seconds, b -> embSparse.fit(sparse.get(b), labels.get(b), 0, null));
    double trainEmbDense = best(repeats, seconds, b -> embDense.fit(oneHot.get(b), labels.get(b), BATCH));
    Model embModel = embSparse.snapshot();
    Model embDenseModel = embDense.snapshot();
    double predictEmb = best(repeats, seconds, b -> embModel.predict(sparse.get(b), out2));
    double predictEmbDense = best(repeats, seconds, b -> embDenseModel.predict(oneHot.get(b), BATCH, out2));
    table.add(row(EMBEDDING, "sparse rows", trainEmb, predictEmb, trainEmb / trainEmbDense));
    table.add(row(EMBEDDING_DENSE, "one-hot rows (dense path)", trainEmbDense, predictEmbDense, 1.0));

    out.println("Sparse inputs, Flights-like layout: dense 5, origin 501 slots, destination 4096 slots, "
        + entries + " entries per field; Adam 1e-3, batch " + BATCH + ", one thread, best of " + repeats + " x "
        + seconds + " s");
    out.print(format(table));
    out.println("ratio: training examples/s of the row over its one-hot reference in the same run.");
    out.println("Environment: " + Runtime.getRuntime().availableProcessors() + " cores, OMP_NUM_THREADS="
        + System.getenv("OMP_NUM_THREADS") + ", Java " + Runtime.version() + ", load average " + loadBefore
        + " before and " + loadAverage() + " after.");
    return 0;
  }

  private static Learner learner(String layers, FeatureLayout layout) {
    NetworkSpec spec = NetworkSpec.parse(layout.totalWidth(), layers);
    return new Learner(new TrainingConfig(spec, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(1e-3), BATCH, 42,
        layout));
  }

  /** A batch of Flights-like rows: Gaussian dense columns, {@code entries} random slots per field. */
  static SparseRows batch(SplittableRandom random, int entries) {
    SparseRows rows = new SparseRows(FLIGHTS, BATCH);
    for (int r = 0; r < BATCH; r++) {
      rows.addRow();
      for (int j = 0; j < FLIGHTS.denseWidth(); j++) {
        rows.setDense(j, (float) (random.nextDouble() * 2 - 1));
      }
      for (int f = 0; f < FLIGHTS.sparseFields().size(); f++) {
        int size = FLIGHTS.sparseFields().get(f).size();
        for (int e = 0; e < entries; e++) {
          rows.addSparse(f, random.nextInt(size), 1f);
        }
      }
    }
    return rows;
  }

  /** Examples per second of {@code step} (called with a batch index), the best of {@code repeats} timed runs after a warm-up. */
  private static double best(int repeats, double seconds, IntConsumer step) {
    run(Math.min(seconds, 1.0), step);
    double best = 0;
    for (int i = 0; i < repeats; i++) {
      best = Math.max(best, run(seconds, step));
    }
    return best;
  }

  private static double run(double seconds, IntConsumer step) {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    long batches = 0;
    while (batches < 10 || System.nanoTime() < deadline) {
      step.accept((int) (batches % BATCHES));
      batches++;
    }
    return batches * BATCH / ((System.nanoTime() - start) / 1e9);
  }

  private static String[] row(String net, String input, double train, double predict, double ratio) {
    return new String[] {net, input, String.format(Locale.ROOT, "%,.0f", train),
        String.format(Locale.ROOT, "%,.0f", predict), String.format(Locale.ROOT, "%.1fx", ratio)};
  }

  private static String format(List<String[]> table) {
    int[] widths = new int[table.get(0).length];
    for (String[] row : table) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < table.size(); i++) {
      String[] row = table.get(i);
      sb.append('|');
      for (int c = 0; c < row.length; c++) {
        sb.append(' ').append(String.format(Locale.ROOT, c < 2 ? "%-" + widths[c] + "s" : "%" + widths[c] + "s", row[c]))
            .append(" |");
      }
      sb.append('\n');
      if (i == 0) {
        sb.append('|');
        for (int w : widths) {
          sb.append("-".repeat(w + 2)).append('|');
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
