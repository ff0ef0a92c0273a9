package io.streamlearn.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.streamlearn.app.Artifacts;
import io.streamlearn.config.Settings;
import io.streamlearn.data.Dataset;
import io.streamlearn.data.FashionMnist;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NativeSetup;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.onnx.OnnxExporter;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.tensor.Preprocessing;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlearn bench onnx}: the engine's forward pass ({@code Model.predict}) against ONNX
 * Runtime running the same model version, exported by {@link OnnxExporter}, one thread each, at
 * batch 1 and 64, for the MLP 784-128-10 and (unless {@code --cnn false}) the CNN {@value #CNN_SPEC}.
 *
 * <p>Each model is briefly trained ({@code --train-batches} Adam steps at batch 64 on
 * Fashion-MNIST's training file, or on seeded random inputs when the files are absent) so its
 * outputs are not the near-uniform softmax of random weights; the version is exported and both
 * sides are fed the same inputs (the test file's first {@value #POOL_ROWS} rows, or random ones).
 * Every output of every input is compared before timing, and the bench refuses to time two sides
 * whose outputs differ by more than {@value #TOLERANCE}: the table then cannot compare different
 * computations.
 *
 * <p>Timing: a warm-up of both sides, then {@code --repeats} repeats of at least
 * {@code --seconds} each per side, the sides alternating (and swapping which goes first) so a load
 * change hits both; examples/s is the best repeat, the call time the median of every timed call.
 * Where the engine is slower, {@link GemmShare} times its matrix products alone at the same shapes
 * to say how much of the call is the BLAS and how much the per-layer Java work around it.
 */
public final class OnnxBench {
  static final String DATA = "data";
  static final String REPEATS = "repeats";
  static final String SECONDS = "seconds";
  static final String WARMUP = "warmup.seconds";
  static final String CNN = "cnn";
  static final String TRAIN_BATCHES = "train.batches";

  /** The bench's options. */
  public static final ConfigDef DEF = new ConfigDef()
      .define(DATA, Type.STRING, FashionMnist.DEFAULT_DIR, Importance.HIGH,
          "Directory of the Fashion-MNIST IDX files; seeded random inputs where they are absent.")
      .define(REPEATS, Type.INT, 5, Range.between(1, 100), Importance.MEDIUM,
          "Timed repeats per side and row; examples/s is the best, the call time the median of all calls.")
      .define(SECONDS, Type.DOUBLE, 0.5, Range.between(0.01, 60), Importance.MEDIUM,
          "Minimum length of one timed repeat, in seconds.")
      .define(WARMUP, Type.DOUBLE, 1.0, Range.between(0, 60), Importance.MEDIUM,
          "Warm-up per side and row before timing, in seconds.")
      .define(CNN, Type.BOOLEAN, true, Importance.MEDIUM, "Also bench the CNN (two conv2d + maxpool, two dense).")
      .define(TRAIN_BATCHES, Type.INT, 20, Range.between(0, 100_000), Importance.LOW,
          "Adam steps at batch 64 before export, so the outputs are those of a briefly trained model.");

  /** The MLP of {@code bench engine}, with the engine's default initialisation. */
  static final String MLP_SPEC = "dense(128,relu) > dense(10,softmax)";
  /** The CNN. */
  static final String CNN_SPEC = "input(28,28,1) > conv2d(32,3,relu) > maxpool(2) > conv2d(64,3,relu) > maxpool(2)"
      + " > dense(128,relu) > dense(10,softmax)";
  /** The largest |engine - ORT| over the outputs (probabilities) the bench accepts as the same computation. */
  static final double TOLERANCE = 1e-4;

  private static final Logger LOG = LoggerFactory.getLogger(OnnxBench.class);
  private static final int[] BATCHES = {1, 64};
  private static final int POOL_ROWS = 1024;
  private static final int FEATURES = 784;
  private static final int CLASSES = 10;
  private static final long SEED = 42;

  private OnnxBench() {}

  /** Runs the bench with {@code streamlearn bench onnx} arguments and prints the table. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    AbstractConfig config = new AbstractConfig(DEF, Settings.ownKeys(Settings.collect(DEF, args, env)), false);
    Timing timing = new Timing(config.getInt(REPEATS), config.getDouble(SECONDS), config.getDouble(WARMUP));
    String loadBefore = loadAverage();
    Path dir = Path.of(config.getString(DATA));
    boolean real = FashionMnist.availableAt(dir);
    Dataset train = real ? FashionMnist.load(dir, true) : random(4096, 1);
    Dataset test = real ? FashionMnist.load(dir, false) : random(POOL_ROWS, 2);
    float[] pool = Arrays.copyOf(test.features(), POOL_ROWS * FEATURES);
    int steps = config.getInt(TRAIN_BATCHES);
    List<String[]> models = new ArrayList<>();
    models.add(new String[] {"MLP 784-128-10", MLP_SPEC});
    if (config.getBoolean(CNN)) {
      models.add(new String[] {"CNN 2conv+2dense", CNN_SPEC});
    }
    List<OnnxTable.Row> rows = new ArrayList<>();
    for (String[] m : models) {
      ModelVersion version = trainedVersion(m[1], train, steps, SEED);
      for (int batch : BATCHES) {
        OnnxTable.Row row = measure(m[0], version, pool, POOL_ROWS, batch, timing);
        LOG.info("{} batch {}: engine {} ex/s, ORT {} ex/s", m[0], batch, Math.round(row.engineEps()),
            Math.round(row.ortEps()));
        rows.add(row);
      }
    }
    String footnote = "Same version on both sides: trained " + steps + " Adam steps at batch 64 on "
        + (real ? "Fashion-MNIST" : "seeded random inputs (Fashion-MNIST not found at " + dir + ")")
        + ", exported with OnnxExporter (float32), inputs the " + (real ? "test file's" : "random") + " first "
        + POOL_ROWS + " rows, every output compared before timing (max |diff|).\n"
        + "Engine: Model.predict(x, rows, out) on the calling thread. ORT " + OrtEnvironment.getEnvironment().getVersion()
        + ": intra-op 1, inter-op 1 thread, sequential, optimization level ALL, input and output bound once as direct"
        + " buffers (a call = copy in, run, copy out).\n"
        + "examples/s: best of " + timing.repeats() + " repeats of >= " + timing.seconds() + " s per side, the sides"
        + " alternating after " + timing.warmUp() + " s of warm-up each; p50: median microseconds per call over every"
        + " timed call. why: the engine's matrix products alone at the same shapes (cblas_sgemm on the engine's BLAS,"
        + " median) against its median call, and their GFLOP/s against the rate ORT's median call implies for the same"
        + " multiply-adds; the rest of the engine's call is im2col, pooling, activations, copies and per-layer work"
        + " in Java.\n"
        + (config.getBoolean(CNN) ? "" : "CNN rows left out (--cnn false).\n")
        + "Environment: " + Runtime.getRuntime().availableProcessors() + " cores, OMP_NUM_THREADS="
        + System.getenv("OMP_NUM_THREADS") + ", BLAS " + NativeSetup.blasInUse().summary() + ", Java "
        + Runtime.version() + ", load average " + loadBefore + " before and " + loadAverage()
        + " after (figures are only comparable on an otherwise idle machine).";
    out.print(OnnxTable.table(rows, footnote));
    return 0;
  }

  /** How long to warm up and time each side. */
  record Timing(int repeats, double seconds, double warmUp) {
    /** Validates the fields. */
    Timing {
      if (repeats < 1 || !(seconds > 0) || !(warmUp >= 0)) {
        throw new IllegalArgumentException("need repeats >= 1, seconds > 0, warmUp >= 0, got " + repeats + ", "
            + seconds + ", " + warmUp);
      }
    }
  }

  /** One call of one side on one input. */
  @FunctionalInterface
  private interface Call {
    void run(float[] x) throws OrtException;
  }

  /**
   * Both sides on {@code version} at {@code batch}: outputs compared on every batch of the pool,
   * then timed.
   *
   * @throws IllegalStateException if the outputs differ by more than {@link #TOLERANCE}
   */
  static OnnxTable.Row measure(String label, ModelVersion version, float[] pool, int poolRows, int batch,
      Timing timing) throws OrtException {
    return measure(label, engineModel(version), OnnxExporter.export(version, false).onnx(), pool, poolRows, batch,
        timing);
  }

  /**
   * As {@link #measure(String, ModelVersion, float[], int, int, Timing)} for an engine model and an
   * ONNX file given apart; they are meant to be the same model, and the bench checks it.
   */
  static OnnxTable.Row measure(String label, Model model, byte[] onnx, float[] pool, int poolRows, int batch,
      Timing timing) throws OrtException {
    int features = model.inputs();
    int outs = model.outputs();
    float[][] inputs = new float[poolRows / batch][];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = Arrays.copyOfRange(pool, i * batch * features, (i + 1) * batch * features);
    }
    float[] engineOut = new float[batch * outs];
    float[] ortOut = new float[batch * outs];
    try (OrtRunner ort = new OrtRunner(onnx, features, outs)) {
      double maxDiff = 0;
      for (float[] x : inputs) {
        model.predict(x, batch, engineOut);
        ort.run(x, batch, ortOut);
        maxDiff = Math.max(maxDiff, maxAbsDiff(engineOut, ortOut));
      }
      if (!(maxDiff <= TOLERANCE)) {
        throw new IllegalStateException(label + " batch " + batch + ": engine and ONNX Runtime outputs differ by up to "
            + maxDiff + ", more than " + TOLERANCE + "; not timing two different computations");
      }
      Call engine = x -> model.predict(x, batch, engineOut);
      Call peer = x -> ort.run(x, batch, ortOut);
      warmUp(engine, inputs, timing.warmUp());
      warmUp(peer, inputs, timing.warmUp());
      LongSamples engineCalls = new LongSamples();
      LongSamples ortCalls = new LongSamples();
      double engineBest = 0;
      double ortBest = 0;
      for (int r = 0; r < timing.repeats(); r++) {
        // swap which side goes first each repeat, so a slow stretch of the machine is shared out
        if (r % 2 == 0) {
          engineBest = Math.max(engineBest, repeat(engine, inputs, batch, timing.seconds(), engineCalls));
          ortBest = Math.max(ortBest, repeat(peer, inputs, batch, timing.seconds(), ortCalls));
        } else {
          ortBest = Math.max(ortBest, repeat(peer, inputs, batch, timing.seconds(), ortCalls));
          engineBest = Math.max(engineBest, repeat(engine, inputs, batch, timing.seconds(), engineCalls));
        }
      }
      double engineP50 = engineCalls.percentile(0.5) / 1e3;
      double ortP50 = ortCalls.percentile(0.5) / 1e3;
      // as many product passes as the engine made calls in one repeat, enough for a stable median
      int gemmCalls = Math.max(20, engineCalls.size() / timing.repeats());
      GemmShare gemm = new GemmShare(model.spec(), batch, model.rowsPerPass());
      double gemmUs = gemm.medianMicros(gemmCalls / 4 + 5, gemmCalls);
      return new OnnxTable.Row(label, batch, engineBest, ortBest, engineP50, ortP50, maxDiff, gemmUs, gemm.flops());
    }
  }

  /** The engine's model of a version, as the inference service builds it. */
  static Model engineModel(ModelVersion version) {
    return Model.of(NetworkSpec.parse(version.signature().featureCount(), version.architecture()), version.tensors(),
        version.preprocessing());
  }

  /**
   * A classification version of {@code layers} on the data set's width, after {@code steps} Adam
   * steps at batch 64 from seed {@code seed} (cycling through the data set).
   */
  static ModelVersion trainedVersion(String layers, Dataset train, int steps, long seed) {
    NetworkSpec spec = NetworkSpec.parse(train.cols(), layers);
    Loss loss = Loss.SOFTMAX_CROSS_ENTROPY;
    int batch = 64;
    Learner learner = new Learner(new TrainingConfig(spec, loss, OptimizerConfig.adam(1e-3), batch, seed));
    float[] predictions = new float[batch * spec.outputs()];
    int batches = Math.max(1, train.rows() / batch);
    for (int s = 0; s < steps; s++) {
      int offset = (s % batches) * batch;
      int rows = Math.min(batch, train.rows() - offset);
      learner.fit(train.features(), offset, train.labels(), offset, rows, predictions);
    }
    long seen = (long) steps * batch;
    return ModelVersion.create("bench-onnx", 1, 0, Instant.now(), spec.text(), Artifacts.signature(spec, loss),
        Preprocessing.identity(), learner.parameters(),
        new Lineage(List.of(), seen, seen, Map.of("optimizer", "adam(1e-3)", "batch", "64"), seed, "bench-onnx"),
        Map.of());
  }

  private static void warmUp(Call call, float[][] inputs, double seconds) throws OrtException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    int i = 0;
    do {
      call.run(inputs[i++ % inputs.length]);
    } while (System.nanoTime() < end || i < 20);
  }

  /** Calls until {@code seconds} have passed (at least 5 calls); returns examples per second. */
  private static double repeat(Call call, float[][] inputs, int batch, double seconds, LongSamples calls)
      throws OrtException {
    long budget = (long) (seconds * 1e9);
    long start = System.nanoTime();
    long now = start;
    int n = 0;
    while (now - start < budget || n < 5) {
      long before = now;
      call.run(inputs[n++ % inputs.length]);
      now = System.nanoTime();
      calls.add(now - before);
    }
    return (double) n * batch / ((now - start) / 1e9);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  private static Dataset random(int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[rows * FEATURES];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = random.nextInt(CLASSES);
    }
    return new Dataset(x, labels, rows, FEATURES);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      LOG.debug("no load average", e);
      return "unknown";
    }
  }
}
