package io.streamlearn.serve;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Objects;

/**
 * What a topology serves into and reports to: the primary model holder, the shadow one (when a
 * shadow alias is configured), the canary one (when a canary alias is), the metrics and the sink
 * of refused versions. The caller keeps it
 * to watch the service; the topology itself stays a side-effect-free function of its config.
 *
 * @param primary the model of the served alias
 * @param shadow the model of the shadow alias, {@code null} when shadow scoring is off
 * @param canary the model of the canary alias, {@code null} without a canary
 * @param metrics the instance's metrics
 * @param refusals where refused versions are reported
 */
public record Serving(ServedModel primary, ServedModel shadow, ServedModel canary, InferenceMetrics metrics,
                      RefusalSink refusals) {
  /** Validates. */
  public Serving {
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(refusals, "refusals");
  }

  /**
   * Fresh holders for a configuration, reporting refusals to {@code refusals}, with meters of their
   * own that nothing serves.
   */
  public static Serving of(InferenceConfig config, ServedModel primary, RefusalSink refusals) {
    return of(config.settings(), primary, refusals, new SimpleMeterRegistry());
  }

  /** Fresh holders for a configuration, reporting refusals to {@code refusals} and meters to {@code meters}. */
  public static Serving of(InferenceConfig config, ServedModel primary, RefusalSink refusals, MeterRegistry meters) {
    return of(config.settings(), primary, refusals, meters);
  }

  /** Fresh holders for settings already read, with meters of their own that nothing serves. */
  public static Serving of(InferenceSettings settings, ServedModel primary, RefusalSink refusals) {
    return of(settings, primary, refusals, new SimpleMeterRegistry());
  }

  /** Fresh holders for settings already read, reporting refusals to {@code refusals} and meters to {@code meters}. */
  public static Serving of(InferenceSettings settings, ServedModel primary, RefusalSink refusals,
                           MeterRegistry meters) {
    ServedModel shadow = settings.shadowAlias() == null ? null : new ServedModel();
    ServedModel canary = settings.canary() == null ? null : new ServedModel();
    return new Serving(primary, shadow, canary, InferenceMetrics.of(meters, settings, primary, shadow, canary),
        refusals);
  }
}
