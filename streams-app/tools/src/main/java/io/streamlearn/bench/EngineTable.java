package io.streamlearn.bench;

import java.util.Locale;
import java.util.Map;

/**
 * The engine bench's table: one row per figure with ours, PyTorch's, the ratio and the target, and
 * the per-seed accuracies under it. Figures travel as a map from the names the PyTorch reference
 * prints ({@code mlp_train_eps}, {@code mlp_preq_acc_seed3}, ...) to values, so both sides are
 * looked up the same way.
 */
final class EngineTable {

  private EngineTable() {
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
      {"cnn_train_eps", "CNN 2 conv + 2 dense Adam, train ex/s", "%.0f", ">= 1.0x"},
      {"cnn_test_acc", "CNN test accuracy after one pass, init=torch", "%.4f", "within 0.01 of PyTorch"},
      {"cnn_preq_acc", "CNN prequential accuracy, init=torch", "%.4f", ""},
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

  static String perSeed(Map<String, Double> ours, Map<String, Double> theirs, long[] seeds) {
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

  /** The extra seeds as the labels and the reference's {@code --seeds} write them: {@code 1,2,3,4}. */
  static String seedsLabel(long[] seeds) {
    StringBuilder sb = new StringBuilder();
    for (long seed : seeds) {
      sb.append(sb.length() == 0 ? "" : ",").append(seed);
    }
    return sb.toString();
  }

  /** The mean of {@code prefix + seed} over the seeds, NaN when one is missing. */
  static double mean(Map<String, Double> figures, String prefix, long[] seeds) {
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
}
