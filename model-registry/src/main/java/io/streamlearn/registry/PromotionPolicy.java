package io.streamlearn.registry;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The automatic promotion rule: the newest version that was never {@code alias} before becomes
 * {@code alias} when its hold-out metric beats the current one's by more than {@code margin}
 * (or when the alias points nowhere, or at a version without the metric). Versions at or below
 * the highest one the alias ever pointed at are never candidates, so a rollback is not undone by
 * the policy promoting the rolled-back version again.
 *
 * @param metric the metric key in {@link ModelVersion#metrics()}, e.g. {@code holdoutAccuracy}
 * @param margin how much better the candidate must be, {@code >= 0}
 * @param higherIsBetter {@code true} for accuracy, {@code false} for a loss
 * @param alias the alias it moves, usually {@code live}
 */
public record PromotionPolicy(String metric, double margin, boolean higherIsBetter, String alias) {
  /** Who the policy's moves are attributed to. */
  public static final String ACTOR = "registry-policy";

  /** What the policy decided: promote {@code version}, for {@code reason}. */
  public record Decision(long version, String reason) {}

  /** Validates. */
  public PromotionPolicy {
    Objects.requireNonNull(metric, "metric");
    if (metric.isBlank()) {
      throw new IllegalArgumentException("metric must not be blank");
    }
    if (!(margin >= 0) || Double.isInfinite(margin)) {
      throw new IllegalArgumentException("margin must be finite and >= 0, found " + margin);
    }
    RegistryKey.checkAlias(alias);
  }

  /** Whether a metric of that name is one where higher is better (accuracy), by its name. */
  public static boolean higherIsBetter(String metric) {
    return !metric.toLowerCase(java.util.Locale.ROOT).contains("loss")
        && !metric.toLowerCase(java.util.Locale.ROOT).contains("error");
  }

  /** The promotion the policy makes now for {@code model}, if any. */
  public Optional<Decision> decide(RegistryState state, String model) {
    long floor = state.highestEverAliased(model, alias);
    Optional<ModelVersion> candidate = state.versions(model).descendingMap().values().stream()
        .filter(v -> v.version() > floor && finite(v.metrics().get(metric)))
        .findFirst();
    if (candidate.isEmpty()) {
      return Optional.empty();
    }
    ModelVersion c = candidate.get();
    double cm = c.metrics().get(metric);
    Optional<ModelVersion> current = state.aliased(model, alias);
    if (current.isEmpty()) {
      return Optional.of(new Decision(c.version(), String.format(java.util.Locale.ROOT,
          "%s %.4f; %s pointed at no version", metric, cm, alias)));
    }
    Map<String, Double> liveMetrics = current.get().metrics();
    if (!finite(liveMetrics.get(metric))) {
      return Optional.of(new Decision(c.version(), String.format(java.util.Locale.ROOT,
          "%s %.4f; %s (version %d) has no %s", metric, cm, alias, current.get().version(), metric)));
    }
    double lm = liveMetrics.get(metric);
    boolean beats = higherIsBetter ? cm > lm + margin : cm < lm - margin;
    if (!beats) {
      return Optional.empty();
    }
    return Optional.of(new Decision(c.version(), String.format(java.util.Locale.ROOT,
        "%s %.4f beats %s version %d's %.4f by more than %s", metric, cm, alias,
        current.get().version(), lm, margin)));
  }

  private static boolean finite(Double d) {
    return d != null && Double.isFinite(d);
  }
}
