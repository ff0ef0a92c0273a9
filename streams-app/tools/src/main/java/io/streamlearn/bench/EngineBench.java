package io.streamlearn.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.Preprocessor;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.learn.WeightInit;
import io.streamlearn.data.Dataset;
import io.streamlearn.data.FashionMnist;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fashion-MNIST benchmark of the engine against PyTorch, one thread each: one pass of mini-batch
 * training in file order (throughput, prequential accuracy from the pre-update forward pass, test
 * accuracy after the pass) for the MLP 784-128-10 and softmax regression with Adam 1e-3 at batch 64,
 * then forward-only throughput at batch 64 and single-example latency of the trained MLP. Prints a
 * table with our figure, PyTorch's and the ratio.
 *
 * <p>The MLP rows compared with PyTorch start from PyTorch's own default initialisation
 * ({@code init=torch}, see {@link WeightInit#TORCH}), so the accuracies compare like with like; the
 * engine's default initialisation (He-uniform for the relu layer, Glorot for the output) gets rows of
 * its own. The prequential accuracy is also averaged over a few more seeds ({@code --seeds}), both
 * sides, since one seed's difference is partly luck of the draw.
 *
 * <p>Arguments (all optional): {@code --data DIR} (default {@value FashionMnist#DEFAULT_DIR}),
 * {@code --script PATH} of {@code pytorch_reference.py} (default {@code bench/engine/pytorch_reference.py}
 * searched upwards from the working directory), {@code --python PATH} (default {@code /usr/bin/python3}),
 * {@code --repeats N} timed passes per figure, best kept (default 3), {@code --seeds 1,2,3,4} extra
 * MLP seeds for the accuracies ({@code none} for none), {@code --no-torch}.
 */
public final class EngineBench {

    private static final Logger LOG = LoggerFactory.getLogger(EngineBench.class);
    private static final int BATCH = 64;
    private static final long SEED = 42;
    /** The MLP as PyTorch's {@code nn.Linear} layers start it, for the rows compared with PyTorch. */
    static final String TORCH_MLP = "dense(128,relu,init=torch) > dense(10,softmax,init=torch)";
    /** The same MLP with the engine's default initialisation. */
    static final String DEFAULT_MLP = "dense(128,relu) > dense(10,softmax)";

    private EngineBench() {
    }

    /** Runs the benchmark and prints the table to standard output. */
    public static void main(String[] args) throws Exception {
        Path data = Path.of(FashionMnist.DEFAULT_DIR);
        Path script = null;
        String python = "/usr/bin/python3";
        int repeats = 3;
        String seeds = "1,2,3,4";
        boolean torch = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--script" -> script = Path.of(args[++i]);
                case "--python" -> python = args[++i];
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--seeds" -> seeds = args[++i];
                case "--no-torch" -> torch = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --data DIR, --script PATH, --python PATH, --repeats N, --seeds 1,2,3,4|none, --no-torch)");
            }
        }
        if (!"1".equals(System.getenv("OMP_NUM_THREADS"))) {
            LOG.warn("OMP_NUM_THREADS is {}, not 1: ND4J is ~3x slower with several OpenMP threads on small machines",
                    System.getenv("OMP_NUM_THREADS"));
        }
        String loadBefore = loadAverage();
        Dataset train = FashionMnist.load(data, true);
        Dataset test = FashionMnist.load(data, false);
        long[] extraSeeds = parseSeeds(seeds);
        Map<String, Double> ours = runOurs(train, test, repeats, extraSeeds);
        Map<String, Double> theirs = Map.of();
        String torchNote;
        if (!torch) {
            torchNote = "PyTorch reference skipped (--no-torch)";
        } else {
            if (script == null) {
                script = findScript();
            }
            if (script == null) {
                torchNote = "PyTorch reference skipped: bench/engine/pytorch_reference.py not found (give --script)";
            } else {
                PythonResult result = runPyTorch(python, script, data, repeats, extraSeeds);
                theirs = withSeedMeans(result.figures, extraSeeds);
                torchNote = result.note;
            }
        }
        System.out.print(table(ours, theirs, torchNote, seedsLabel(extraSeeds)));
        if (extraSeeds.length > 0) {
            System.out.println(perSeed(ours, theirs, extraSeeds));
        }
        System.out.println("Environment: " + Runtime.getRuntime().availableProcessors() + " cores, OMP_NUM_THREADS="
                + System.getenv("OMP_NUM_THREADS") + ", BLAS " + (System.getProperty("org.bytedeco.openblas.load") == null
                ? "bundled with ND4J" : "from the system (" + System.getProperty("org.bytedeco.openblas.load") + ")")
                + ", Java " + Runtime.version() + ", load average " + loadBefore + " before and " + loadAverage()
                + " after (figures are only comparable on an otherwise idle machine).");
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
            out.put("mlp_preq_acc_seeds", mean(out, "mlp_preq_acc_seed", seeds));
            out.put("mlp_default_preq_acc_seeds", mean(out, "mlp_default_preq_acc_seed", seeds));
        }
        TrainResult softmax = bestOf(repeats, () -> trainOnePass("dense(10,softmax)", train, test, SEED));
        out.put("softmax_train_eps", softmax.examplesPerSecond);
        out.put("softmax_test_acc", softmax.testAccuracy);
        out.put("softmax_preq_acc", softmax.prequentialAccuracy);
        Model model = mlp.learner.snapshot(Preprocessor.identity(train.cols()));
        out.put("mlp_infer_eps", inferenceThroughput(model, test, repeats));
        out.put("mlp_latency_us", singleLatencyMicros(model, test));
        return out;
    }

    private static long[] parseSeeds(String text) {
        if (text.isBlank() || text.equalsIgnoreCase("none")) {
            return new long[0];
        }
        String[] parts = text.split(",");
        long[] seeds = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                seeds[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                IllegalArgumentException failure = new IllegalArgumentException(
                        "--seeds must be comma-separated integers or none, got '" + text + "'");
                failure.initCause(e);
                throw failure;
            }
        }
        return seeds;
    }

    private static String seedsLabel(long[] seeds) {
        StringBuilder sb = new StringBuilder();
        for (long seed : seeds) {
            sb.append(sb.length() == 0 ? "" : ",").append(seed);
        }
        return sb.toString();
    }

    private static double mean(Map<String, Double> figures, String prefix, long[] seeds) {
        double sum = 0;
        for (long seed : seeds) {
            Double v = figures.get(prefix + seed);
            if (v == null) {
                return Double.NaN;
            }
            sum += v;
        }
        return sum / seeds.length;
    }

    /**
     * PyTorch's figures with the seed means added and copied to the default-init rows: PyTorch has one
     * initialisation, which those rows are compared with too.
     */
    private static Map<String, Double> withSeedMeans(Map<String, Double> figures, long[] seeds) {
        if (figures.isEmpty()) {
            return figures;
        }
        Map<String, Double> out = new LinkedHashMap<>(figures);
        if (seeds.length > 0) {
            double m = mean(figures, "mlp_preq_acc_seed", seeds);
            if (!Double.isNaN(m)) {
                out.put("mlp_preq_acc_seeds", m);
                out.put("mlp_default_preq_acc_seeds", m);
            }
        }
        for (String key : List.of("mlp_test_acc", "mlp_preq_acc")) {
            if (figures.containsKey(key)) {
                out.put(key.replace("mlp_", "mlp_default_"), figures.get(key));
            }
        }
        return out;
    }

    private static String perSeed(Map<String, Double> ours, Map<String, Double> theirs, long[] seeds) {
        StringBuilder sb = new StringBuilder("MLP accuracies per seed (prequential / test):");
        for (long seed : seeds) {
            sb.append(String.format(Locale.ROOT, "%n  seed %d: init=torch %s, default init %s, PyTorch %s", seed,
                    pair(ours, "mlp_", seed), pair(ours, "mlp_default_", seed), pair(theirs, "mlp_", seed)));
        }
        return sb.toString();
    }

    private static String pair(Map<String, Double> figures, String prefix, long seed) {
        Double preq = figures.get(prefix + "preq_acc_seed" + seed);
        Double test = figures.get(prefix + "test_acc_seed" + seed);
        return preq == null || test == null ? "-" : String.format(Locale.ROOT, "%.4f / %.4f", preq, test);
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

    /** Parsed output of the PyTorch script, or why there is none. */
    private record PythonResult(Map<String, Double> figures, String note) {
    }

    private static Path findScript() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("bench/engine/pytorch_reference.py");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return null;
    }

    private static PythonResult runPyTorch(String python, Path script, Path data, int repeats, long[] seeds)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(python))) {
            return new PythonResult(Map.of(), "PyTorch reference skipped: " + python + " not found");
        }
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--data", data.toString(),
                "--repeats", Integer.toString(repeats), "--seeds", seeds.length == 0 ? "none" : seedsLabel(seeds));
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("MKL_NUM_THREADS", "1");
        pb.redirectErrorStream(true);
        Process process = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return new PythonResult(Map.of(), "PyTorch reference skipped: timed out");
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        String skip = null;
        for (String line : lines) {
            if (line.startsWith("SKIP ")) {
                skip = line.substring(5);
            } else if (line.startsWith("RESULT ")) {
                String[] kv = line.substring(7).trim().split("=", 2);
                figures.put(kv[0], Double.parseDouble(kv[1]));
            }
        }
        if (skip != null) {
            return new PythonResult(Map.of(), "PyTorch reference skipped: " + skip);
        }
        if (process.exitValue() != 0 || figures.isEmpty()) {
            LOG.warn("PyTorch reference failed (exit {}): {}", process.exitValue(), String.join("\n", lines));
            return new PythonResult(Map.of(), "PyTorch reference failed with exit code " + process.exitValue());
        }
        return new PythonResult(figures, "PyTorch " + lines.stream().filter(l -> l.startsWith("TORCH ")).map(l -> l.substring(6))
                .findFirst().orElse("?") + ", one thread, same invocation");
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

    static String table(Map<String, Double> ours, Map<String, Double> theirs, String torchNote) {
        return table(ours, theirs, torchNote, "");
    }

    /** @param seeds the extra seeds, e.g. {@code 1,2,3,4}, for the labels of the seed-mean rows */
    static String table(Map<String, Double> ours, Map<String, Double> theirs, String torchNote, String seeds) {
        String[][] rows = {
            {"mlp_train_eps", "MLP 784-128-10 Adam, train ex/s (batch 64)", "%.0f", ">= 166k and >= 1.0x"},
            {"mlp_test_acc", "MLP test accuracy after one pass, init=torch", "%.4f", ">= 0.835"},
            {"mlp_preq_acc", "MLP prequential accuracy, init=torch", "%.4f", "within 0.01 of PyTorch"},
            {"mlp_preq_acc_seeds", "  same, mean of seeds " + seeds, "%.4f", "within 0.01 of PyTorch"},
            {"mlp_default_test_acc", "MLP test accuracy, default init (He)", "%.4f", ">= 0.835"},
            {"mlp_default_preq_acc", "MLP prequential accuracy, default init (He)", "%.4f", ""},
            {"mlp_default_preq_acc_seeds", "  same, mean of seeds " + seeds, "%.4f", ""},
            {"softmax_train_eps", "Softmax regression Adam, train ex/s", "%.0f", ">= 300k"},
            {"softmax_test_acc", "Softmax test accuracy after one pass", "%.4f", ">= 0.815"},
            {"softmax_preq_acc", "Softmax prequential accuracy", "%.4f", ""},
            {"mlp_infer_eps", "MLP forward only, ex/s (batch 64)", "%.0f", ">= 500k"},
            {"mlp_latency_us", "MLP single-example latency, median us", "%.1f", "<= 50"},
        };
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "| %-44s | %12s | %12s | %8s | %-22s |%n", "figure", "streamlearn", "PyTorch", "ratio", "target"));
        sb.append("|").append("-".repeat(46)).append("|").append("-".repeat(14)).append("|").append("-".repeat(14))
                .append("|").append("-".repeat(10)).append("|").append("-".repeat(24)).append("|\n");
        for (String[] row : rows) {
            Double a = ours.get(row[0]);
            Double b = theirs.get(row[0]);
            if (row[0].endsWith("_seeds") && a == null && b == null) {
                continue;
            }
            boolean accuracy = row[0].contains("_acc");
            String ratio = "";
            if (a != null && b != null && b != 0) {
                double r = row[0].endsWith("latency_us") ? b / a : (accuracy ? a - b : a / b);
                ratio = accuracy ? String.format(Locale.ROOT, "%+.4f", r) : String.format(Locale.ROOT, "%.2fx", r);
            }
            sb.append(String.format(Locale.ROOT, "| %-44s | %12s | %12s | %8s | %-22s |%n", row[1],
                    a == null ? "-" : String.format(Locale.ROOT, row[2], a),
                    b == null ? "-" : String.format(Locale.ROOT, row[2], b), ratio, row[3]));
        }
        sb.append("\n").append(torchNote).append(". Ratio: ours/PyTorch for throughput, PyTorch/ours for latency,"
                + " ours minus PyTorch for accuracy.\n");
        return sb.toString();
    }
}
