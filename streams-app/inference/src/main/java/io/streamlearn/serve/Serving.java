package io.streamlearn.serve;

import java.util.Objects;

/**
 * What a topology serves into and reports to: the primary model holder, the shadow one (when a
 * shadow alias is configured), the metrics and the sink of refused versions. The caller keeps it
 * to watch the service; the topology itself stays a side-effect-free function of its config.
 *
 * @param primary the model of the served alias
 * @param shadow the model of the shadow alias, {@code null} when shadow scoring is off
 * @param metrics the instance's metrics
 * @param refusals where refused versions are reported
 */
public record Serving(ServedModel primary, ServedModel shadow, InferenceMetrics metrics, RefusalSink refusals) {
  /** Validates. */
  public Serving {
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(refusals, "refusals");
  }

  /** Fresh holders for a configuration, reporting refusals to {@code refusals}. */
  public static Serving of(InferenceConfig config, ServedModel primary, RefusalSink refusals) {
    return of(config.settings(), primary, refusals);
  }

  /** Fresh holders for settings already read, reporting refusals to {@code refusals}. */
  public static Serving of(InferenceSettings settings, ServedModel primary, RefusalSink refusals) {
    ServedModel shadow = settings.shadowAlias() == null ? null : new ServedModel();
    return new Serving(primary, shadow, new InferenceMetrics(primary, shadow), refusals);
  }
}
