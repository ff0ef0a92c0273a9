package io.streamlearn.bench;

import io.streamlearn.tensor.Preprocessing;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.streamlearn.config.Settings;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NativeSetup;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.learn.WeightInit;
import io.streamlearn.data.Dataset;
import io.streamlearn.data.FashionMnist;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlearn bench engine}: Fashion-MNIST benchmark of the engine against PyTorch, one
 * thread each: one pass of mini-batch training in file order (throughput, prequential accuracy from
 * the pre-update forward pass, test accuracy after the pass) for the MLP 784-128-10 and softmax
 * regression with Adam 1e-3 at batch 64, then forward-only throughput at batch 64 and single-example
 * latency of the trained MLP, and (unless {@code --cnn false}) one pass of the CNN
 * {@value #TORCH_CNN}, a single timed pass each side since it takes a minute or more. Prints a table ({@link EngineTable}) with our figure, PyTorch's
 * ({@link PyTorchReference}) and the ratio.
 *
 * <p>The MLP rows compared with PyTorch start from PyTorch's own default initialisation
 * ({@code init=torch}, see {@link WeightInit#TORCH}), so the accuracies compare like with like; the
 * engine's default initialisation (He-uniform for the relu layer, Glorot for the output) gets rows of
 * its own. The prequential accuracy is also averaged over a few more seeds ({@code --seeds}), both
 * sides, since one seed's difference is partly luck of the draw. The options are in {@link #DEF}.
 */
public final class EngineBench {
  static final String DATA = "data";
  static final String SCRIPT = "script";
  static final String PYTHON = "python";
  static final String REPEATS = "repeats";
  static final String SEEDS = "seeds";
  static final String NO_TORCH = "no.torch";
  static final String CNN = "cnn";

  /** The bench's options. */
  public static final ConfigDef DEF = new ConfigDef()
      .define(DATA, Type.STRING, FashionMnist.DEFAULT_DIR, Importance.HIGH, "Directory of the Fashion-MNIST IDX files.")
      .define(SCRIPT, Type.STRING, "", Importance.MEDIUM, "The PyTorch reference, pytorch_reference.py;"
          + " empty: bench/engine/pytorch_reference.py searched upwards from the working directory.")
      .define(PYTHON, Type.STRING, "/usr/bin/python3", Importance.MEDIUM, "The Python that runs the reference.")
      .define(REPEATS, Type.INT, 3, Range.between(1, 100), Importance.MEDIUM,
          "Timed passes per throughput figure, both sides; the best is kept.")
      .define(SEEDS, Type.STRING, "1,2,3,4", ConfigDef.LambdaValidator.with(EngineBench::checkSeeds,
          () -> "comma-separated integers, or none"), Importance.MEDIUM,
          "Extra MLP seeds whose accuracies are averaged, both sides ('none': only seed 42).")
      .define(NO_TORCH, Type.BOOLEAN, false, Importance.MEDIUM, "Skip the PyTorch reference.")
      .define(CNN, Type.BOOLEAN, true, Importance.MEDIUM,
          "Also train the CNN for one pass, both sides (one timed pass each, a minute or more).");

  private static final Logger LOG = LoggerFactory.getLogger(EngineBench.class);
  private static final int BATCH = 64;
  private static final long SEED = 42;
  /** The MLP as PyTorch's {@code nn.Linear} layers start it, for the rows compared with PyTorch. */
  static final String TORCH_MLP = "dense(128,relu,init=torch) > dense(10,softmax,init=torch)";
  /** The same MLP with the engine's default initialisation. */
  static final String DEFAULT_MLP = "dense(128,relu) > dense(10,softmax)";
  /** The CNN, initialised as PyTorch's {@code nn.Conv2d} and {@code nn.Linear} layers start. */
  static final String TORCH_CNN = "input(28,28,1) > conv2d(32,3,relu,init=torch) > maxpool(2)"
      + " > conv2d(64,3,relu,init=torch) > maxpool(2) > dense(128,relu,init=torch) > dense(10,softmax,init=torch)";

  private EngineBench() {
  }

  /** Runs the bench with {@code streamlearn bench engine} arguments and prints the table. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    AbstractConfig config = new AbstractConfig(DEF, Settings.ownKeys(Settings.collect(DEF, args, env)), false);
    if (!"1".equals(System.getenv("OMP_NUM_THREADS"))) {
      LOG.warn("OMP_NUM_THREADS is {}, not 1: ND4J is ~3x slower with several OpenMP threads on small machines",
          System.getenv("OMP_NUM_THREADS"));
    }
    Path data = Path.of(config.getString(DATA));
    int repeats = config.getInt(REPEATS);
    String loadBefore = loadAverage();
    Dataset train = FashionMnist.load(data, true);
    Dataset test = FashionMnist.load(data, false);
    long[] extraSeeds = parseSeeds(config.getString(SEEDS));
    boolean cnn = config.getBoolean(CNN);
    Map<String, Double> ours = runOurs(train, test, repeats, extraSeeds);
    if (cnn) {
      TrainResult r = trainOnePass(TORCH_CNN, train, test, SEED);
      ours.put("cnn_train_eps", r.examplesPerSecond);
      ours.put("cnn_test_acc", r.testAccuracy);
      ours.put("cnn_preq_acc", r.prequentialAccuracy);
    }
    PyTorchReference.Result theirs = config.getBoolean(NO_TORCH)
        ? PyTorchReference.Result.skipped("--no-torch")
        : PyTorchReference.run(config.getString(PYTHON), config.getString(SCRIPT), data, repeats, extraSeeds, cnn);
    out.print(EngineTable.table(ours, theirs.figures(), theirs.note(), EngineTable.seedsLabel(extraSeeds)));
    if (extraSeeds.length > 0) {
      out.println(EngineTable.perSeed(ours, theirs.figures(), extraSeeds));
    }
    out.println("Environment: " + Runtime.getRuntime().availableProcessors() + " cores, OMP_NUM_THREADS="
        + System.getenv("OMP_NUM_THREADS") + ", BLAS " + NativeSetup.blasInUse().summary()
        + ", Java " + Runtime.version() + ", load average " + loadBefore + " before and " + loadAverage()
        + " after (figures are only comparable on an otherwise idle machine).");
    return 0;
  }

  private static Map<String, Double> runOurs(Dataset train, Dataset test, int repeats, long[] seeds) {
    Map<String, Double> out = new LinkedHashMap<>();
    TrainResult mlp = bestOf(repeats, () -> trainOnePass(TORCH_MLP, train, test, SEED));
    out.put("mlp_train_eps", mlp.examplesPerSecond);
    out.put("mlp_test_acc", mlp.testAccuracy);
    out.put("mlp_preq_acc", mlp.prequentialAccuracy);
    TrainResult mlpDefault = trainOnePass(DEFAULT_MLP, train, test, SEED);
    out.put("mlp_default_test_acc", mlpDefault.testAccuracy);
    out.put("mlp_default_preq_acc", mlpDefault.prequentialAccuracy);
    for (long seed : seeds) {
      TrainResult t = trainOnePass(TORCH_MLP, train, test, seed);
      out.put("mlp_preq_acc_seed" + seed, t.prequentialAccuracy);
      out.put("mlp_test_acc_seed" + seed, t.testAccuracy);
      TrainResult d = trainOnePass(DEFAULT_MLP, train, test, seed);
      out.put("mlp_default_preq_acc_seed" + seed, d.prequentialAccuracy);
      out.put("mlp_default_test_acc_seed" + seed, d.testAccuracy);
    }
    if (seeds.length > 0) {
      out.put("mlp_preq_acc_seeds", EngineTable.mean(out, "mlp_preq_acc_seed", seeds));
      out.put("mlp_default_preq_acc_seeds", EngineTable.mean(out, "mlp_default_preq_acc_seed", seeds));
    }
    TrainResult softmax = bestOf(repeats, () -> trainOnePass("dense(10,softmax)", train, test, SEED));
    out.put("softmax_train_eps", softmax.examplesPerSecond);
    out.put("softmax_test_acc", softmax.testAccuracy);
    out.put("softmax_preq_acc", softmax.prequentialAccuracy);
    Model model = mlp.learner.snapshot(Preprocessing.identity());
    out.put("mlp_infer_eps", inferenceThroughput(model, test, repeats));
    out.put("mlp_latency_us", singleLatencyMicros(model, test));
    return out;
  }

  static long[] parseSeeds(String text) {
    if (text.isBlank() || text.equalsIgnoreCase("none")) {
      return new long[0];
    }
    String[] parts = text.split(",");
    long[] seeds = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      seeds[i] = Long.parseLong(parts[i].trim());
    }
    return seeds;
  }

  private static void checkSeeds(String name, Object value) {
    try {
      parseSeeds(String.valueOf(value));
    } catch (NumberFormatException e) {
      throw new ConfigException(name, value, "must be comma-separated integers or none");
    }
  }

  /** Result of one training pass. */
  private record TrainResult(Learner learner, double examplesPerSecond, double testAccuracy, double prequentialAccuracy) {
  }

  private static TrainResult bestOf(int repeats, java.util.function.Supplier<TrainResult> run) {
    TrainResult best = null;
    for (int i = 0; i < Math.max(1, repeats); i++) {
      TrainResult r = run.get();
      if (best == null || r.examplesPerSecond > best.examplesPerSecond) {
        best = r;
      }
    }
    return best;
  }

  static TrainResult trainOnePass(String specText, Dataset train, Dataset test, long seed) {
    NetworkSpec spec = NetworkSpec.parse(train.cols(), specText);
    Learner learner = new Learner(new TrainingConfig(spec, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(1e-3), BATCH, seed));
    int classes = spec.outputs();
    float[] predictions = new float[BATCH * classes];
    long correct = 0;
    float[] features = train.features();
    int[] labels = train.labels();
    long start = System.nanoTime();
    for (int offset = 0; offset < train.rows(); offset += BATCH) {
      int rows = Math.min(BATCH, train.rows() - offset);
      // the batch is read in place, as PyTorch's slices are views
      learner.fit(features, offset, labels, offset, rows, predictions);
      correct += countCorrect(predictions, labels, offset, rows, classes);
    }
    long elapsed = System.nanoTime() - start;
    double eps = train.rows() / (elapsed / 1e9);
    double testAccuracy = accuracy(learner, test);
    return new TrainResult(learner, eps, testAccuracy, (double) correct / train.rows());
  }

  private static long countCorrect(float[] probabilities, int[] labels, int offset, int rows, int classes) {
    long correct = 0;
    for (int r = 0, base = 0; r < rows; r++, base += classes) {
      int best = 0;
      for (int j = 1; j < classes; j++) {
        if (probabilities[base + j] > probabilities[base + best]) {
          best = j;
        }
      }
      if (best == labels[offset + r]) {
        correct++;
      }
    }
    return correct;
  }

  private static double accuracy(Learner learner, Dataset test) {
    int classes = learner.config().spec().outputs();
    float[] out = new float[test.rows() * classes];
    learner.predict(test.features(), test.rows(), out);
    return (double) countCorrect(out, test.labels(), 0, test.rows(), classes) / test.rows();
  }

  private static double inferenceThroughput(Model model, Dataset test, int repeats) {
    int cols = test.cols();
    int batches = test.rows() / BATCH;
    // batches are cut out before timing, as PyTorch's slices are views that cost nothing
    float[][] inputs = new float[batches][];
    for (int b = 0; b < batches; b++) {
      inputs[b] = java.util.Arrays.copyOfRange(test.features(), b * BATCH * cols, (b + 1) * BATCH * cols);
    }
    float[] out = new float[BATCH * model.outputs()];
    double best = 0;
    for (int rep = 0; rep < Math.max(2, repeats + 1); rep++) {
      long start = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        model.predict(inputs[b], BATCH, out);
      }
      long elapsed = System.nanoTime() - start;
      if (rep > 0) {
        best = Math.max(best, batches * BATCH / (elapsed / 1e9));
      }
    }
    return best;
  }

  /** Median latency of {@code Model.predict(float[])} on single test examples, after a warm-up. */
  private static double singleLatencyMicros(Model model, Dataset test) {
    int cols = test.cols();
    int n = 5000;
    long[] times = new long[n];
    float[] x = new float[cols];
    for (int i = 0; i < 2000; i++) {
      System.arraycopy(test.features(), (i % test.rows()) * cols, x, 0, cols);
      model.predict(x);
    }
    for (int i = 0; i < n; i++) {
      System.arraycopy(test.features(), (i % test.rows()) * cols, x, 0, cols);
      long start = System.nanoTime();
      model.predict(x);
      times[i] = System.nanoTime() - start;
    }
    java.util.Arrays.sort(times);
    return times[n / 2] / 1e3;
  }

  /** The 1-minute load average, or "unknown" where /proc/loadavg does not exist. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      LOG.debug("no load average", e);
      return "unknown";
    }
  }
}
