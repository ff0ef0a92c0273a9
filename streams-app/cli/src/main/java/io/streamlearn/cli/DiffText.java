package io.streamlearn.cli;

import io.streamlearn.registry.VersionDiff;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The text form of a {@link VersionDiff}. */
final class DiffText {
  private DiffText() {}

  static void print(VersionDiff d, PrintStream out) {
    out.printf("diff %s -> %s%n", d.from(), d.to());
    out.println(d.architecture().isEmpty() ? "architecture: same"
        : "architecture: " + d.architecture().get(0) + "  ->  " + d.architecture().get(1));
    out.println("signature: " + (d.signatureChanged() ? "CHANGED" : "same"));
    out.println("metrics:");
    for (Map.Entry<String, double[]> m : d.metrics().entrySet()) {
      double[] v = m.getValue();
      out.printf(Locale.ROOT, "  %-24s %10.4f -> %10.4f  (%+.4f)%n", m.getKey(), v[0], v[1], v[2]);
    }
    out.printf(Locale.ROOT, "lineage: examples seen %d -> %d (+%d), seed %d -> %d%n", d.examplesSeen()[0],
        d.examplesSeen()[1], d.examplesSeen()[1] - d.examplesSeen()[0], d.seeds()[0], d.seeds()[1]);
    for (Map.Entry<String, List<String>> h : d.hyperparameters().entrySet()) {
      out.printf("  hyperparameter %s: %s -> %s%n", h.getKey(), h.getValue().get(0), h.getValue().get(1));
    }
    out.println("weights:");
    out.printf("  %-24s %-10s %12s %12s %12s%n", "tensor", "status", "L2 delta", "max |delta|", "relative");
    for (VersionDiff.TensorDelta t : d.tensors()) {
      out.printf(Locale.ROOT, "  %-24s %-10s %12.6f %12.6f %12.6f%n", t.name(), t.status(), t.l2Delta(),
          t.maxAbsDelta(), t.relativeDelta());
    }
  }
}
