package io.streamlearn.eval;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamlearn.schema.Evaluation;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The evaluation's Micrometer meters (docs/operations.md, {@code ## evaluate}):
 *
 * <ul>
 *   <li>{@code streamlearn.evaluations} (counter; model, version, alias, leaked): evaluations this
 *       instance's tasks have counted since it started (alias {@code none} for a prediction that named
 *       none);
 *   <li>{@code streamlearn.served.accuracy} (gauge; model, version, alias): the all-time leak-free
 *       served accuracy of a version under an alias (from the changelogged sums, so it survives a
 *       restart once the next evaluation of that key arrives);
 *   <li>{@code streamlearn.rollbacks} (counter; model, alias): automatic rollbacks.
 * </ul>
 */
final class EvaluationOpsMeters implements EvaluationMeters {
  private final MeterRegistry registry;
  private final Map<String, Counter> evaluations = new ConcurrentHashMap<>();
  /** Accuracy per model:version@alias, as the bits of a double, read by the gauges. */
  private final Map<String, AtomicLong> accuracy = new ConcurrentHashMap<>();
  private final Map<String, Counter> rollbacks = new ConcurrentHashMap<>();

  /** Meters in {@code registry}; the rollback counter of {@code model@alias} exists from the start at 0. */
  EvaluationOpsMeters(MeterRegistry registry, String model, String alias) {
    this.registry = registry;
    rollbacks(model, alias);
  }

  @Override
  public void evaluated(Evaluation e, double servedAccuracy) {
    String version = String.valueOf(e.getModelVersion());
    String leaked = String.valueOf(e.getLeaked());
    String alias = e.getAlias() == null ? "none" : e.getAlias();
    String key = e.getModel() + ":" + version + "@" + alias;
    evaluations.computeIfAbsent(key + "|" + leaked, k -> Counter.builder("streamlearn.evaluations")
        .description("Predictions joined with their label (leaked: made by a version that had trained on the input)")
        .tags("model", e.getModel(), "version", version, "alias", alias, "leaked", leaked)
        .register(registry)).increment();
    if (!Double.isNaN(servedAccuracy)) {
      accuracy.computeIfAbsent(key, k -> {
        AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
        Gauge.builder("streamlearn.served.accuracy", bits, b -> Double.longBitsToDouble(b.get()))
            .description("All-time leak-free served accuracy of a version under an alias")
            .tags("model", e.getModel(), "version", version, "alias", alias)
            .register(registry);
        return bits;
      }).set(Double.doubleToLongBits(servedAccuracy));
    }
  }

  @Override
  public void rolledBack(String model, String alias, long version) {
    rollbacks(model, alias).increment();
  }

  private Counter rollbacks(String model, String alias) {
    return rollbacks.computeIfAbsent(model + "@" + alias, k -> Counter.builder("streamlearn.rollbacks")
        .description("Automatic rollbacks of an alias to its previous version")
        .tags("model", model, "alias", alias).register(registry));
  }
}
