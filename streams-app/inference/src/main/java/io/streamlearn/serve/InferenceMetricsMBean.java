package io.streamlearn.serve;

/**
 * The JMX view of an inference instance ({@code io.streamlearn:type=Inference,name=<application
 * id>-<instance>}). Rates and percentiles cover the recent past: predictions/s the last 5 full
 * seconds, latency percentiles the last 8,192 predictions, publication-to-first-prediction the last
 * 1,024 swaps.
 */
public interface InferenceMetricsMBean {
  /** Predictions written since start. */
  long getPredictionsTotal();

  /** Predictions per second over the last 5 full seconds. */
  double getPredictionsPerSecond();

  /** Median latency (input's Kafka timestamp to prediction) of recent predictions, µs. */
  long getLatencyP50Micros();

  /** 99th percentile latency of recent predictions, µs. */
  long getLatencyP99Micros();

  /** Largest latency of recent predictions, µs. */
  long getLatencyMaxMicros();

  /** The served version of the primary alias, -1 before the first. */
  long getServedVersion();

  /** The served version of the shadow alias, -1 when none (or shadow scoring is off). */
  long getShadowVersion();

  /** How many times the primary model was swapped. */
  long getSwapCount();

  /** How many candidate versions were refused (both aliases). */
  long getRefusedCount();

  /** Inputs sent to the dead-letter topic. */
  long getDeadLetterCount();

  /** Shadow predictions written. */
  long getShadowPredictionsTotal();

  /** From the alias move's publication to this instance's first prediction with it, last swap, ms. */
  long getLastPublicationToFirstPredictionMillis();

  /** 99th percentile of publication to first prediction over recent swaps, ms. */
  long getPublicationToFirstPredictionP99Millis();

  /** Decode, check and warm-up time of the last swapped-in version, µs. */
  long getLastSwapPrepareMicros();

  /** Mean rows per forward pass since start. */
  double getMeanBatchSize();
}
