package io.streamlearn.bench;

import java.util.List;
import java.util.Locale;

/**
 * The table of {@code bench onnx}: per model and batch size, both sides' throughput and median call
 * time, the ratio, the largest output difference (so the table shows both sides computed the same
 * thing), and where the engine is slower a "why" from the share of its call that is matrix products.
 */
final class OnnxTable {
  private OnnxTable() {}

  /**
   * One measured row.
   *
   * @param model        the model's label, e.g. {@code MLP 784-128-10}
   * @param batch        rows per call
   * @param engineEps    the engine's examples per second (best repeat)
   * @param ortEps       ONNX Runtime's examples per second (best repeat)
   * @param engineP50Us  the engine's median microseconds per call
   * @param ortP50Us     ONNX Runtime's median microseconds per call
   * @param maxAbsDiff   the largest |engine - ORT| over every output of every compared input
   * @param gemmUs       median microseconds of the engine's matrix products alone for one call
   *                     ({@link GemmShare}), NaN when not measured
   * @param gemmFlops    floating-point operations of those products ({@code 2 m n k} each); ORT's
   *                     graph does the same multiply-adds (a direct convolution as many as im2col)
   */
  record Row(String model, int batch, double engineEps, double ortEps, double engineP50Us, double ortP50Us,
      double maxAbsDiff, double gemmUs, double gemmFlops) {
    /** Validates the fields. */
    Row {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("model must be named, got '" + model + "'");
      }
      if (batch < 1) {
        throw new IllegalArgumentException("batch must be >= 1, got " + batch);
      }
      if (!(engineEps > 0) || !(ortEps > 0) || !(engineP50Us > 0) || !(ortP50Us > 0)) {
        throw new IllegalArgumentException("throughputs and call times must be > 0, got " + engineEps + ", " + ortEps
            + ", " + engineP50Us + ", " + ortP50Us);
      }
      if (!(gemmFlops > 0)) {
        throw new IllegalArgumentException("gemmFlops must be > 0, got " + gemmFlops);
      }
      if (!(maxAbsDiff >= 0)) {
        throw new IllegalArgumentException("maxAbsDiff must be >= 0, got " + maxAbsDiff);
      }
    }

    /** Engine examples per second over ORT's. */
    double ratio() {
      return engineEps / ortEps;
    }

    /**
     * Why the engine is slower, empty where it is not: the share of its median call spent in the
     * matrix products, their rate against the rate ORT's whole call implies for the same
     * multiply-adds, and whether the products alone already take longer than ORT's whole call
     * (then the product kernels themselves lose; else the per-layer Java work around them does).
     */
    String why() {
      if (ratio() >= 1.0) {
        return "";
      }
      if (Double.isNaN(gemmUs)) {
        return "gemm share not measured";
      }
      double share = Math.min(1.0, gemmUs / engineP50Us);
      String split = String.format(Locale.ROOT, "gemm %.0f us = %.0f%% of the call (%.0f GFLOP/s; ORT's whole call"
          + " >= %.0f), other Java work %.0f%%", gemmUs, 100 * share, gemmFlops / gemmUs / 1e3,
          gemmFlops / ortP50Us / 1e3, 100 * (1 - share));
      return gemmUs >= ortP50Us
          ? split + "; the products alone take longer than ORT's whole call"
          : split + "; the products alone fit in ORT's call, the rest is the gap";
    }
  }

  /** The table, one line per row, with a header and the footnote on how the figures were taken. */
  static String table(List<Row> rows, String footnote) {
    StringBuilder sb = new StringBuilder();
    String format = "| %-16s | %5s | %11s | %11s | %10s | %11s | %11s | %12s | %s |%n";
    sb.append(String.format(Locale.ROOT, format, "model", "batch", "engine ex/s", "ORT ex/s", "engine/ORT",
        "engine p50", "ORT p50", "max |diff|", "why (where engine < 1.0x)"));
    sb.append(String.format(Locale.ROOT, format, "-".repeat(16), "-".repeat(5), "-".repeat(11), "-".repeat(11),
        "-".repeat(10), "-".repeat(11), "-".repeat(11), "-".repeat(12), "-".repeat(25)));
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, format, r.model(), r.batch(), String.format(Locale.ROOT, "%.0f", r.engineEps()),
          String.format(Locale.ROOT, "%.0f", r.ortEps()), String.format(Locale.ROOT, "%.2fx", r.ratio()),
          String.format(Locale.ROOT, "%.1f us", r.engineP50Us()), String.format(Locale.ROOT, "%.1f us", r.ortP50Us()),
          String.format(Locale.ROOT, "%.2e", r.maxAbsDiff()), r.why()));
    }
    sb.append('\n').append(footnote).append('\n');
    return sb.toString();
  }
}
