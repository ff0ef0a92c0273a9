package io.streamlearn.demo;

import io.streamlearn.config.HttpKeys;

/**
 * What the demo runs with, read once from a {@link DemoConfig}, with the dataset's defaults
 * already applied to the rate and the learning rate.
 *
 * @param durationSeconds seconds to run; 0 until Ctrl-C
 * @param summaryJson file of the JSON summary; empty for none
 * @param fashionMnist whether Fashion-MNIST is replayed (else the generated stream)
 * @param dataDir directory of the Fashion-MNIST IDX files
 * @param httpPort port of the dashboard; 0 any free port
 * @param rate events produced per second, >= 1
 * @param generator the generated stream's name
 * @param seed seed of the generator and the model
 * @param unlabeledShare share of events held back as FeatureEvents, in [0, 1]
 * @param layersTemplate the network, with K standing for the class count
 * @param learningRate the learning rate, > 0
 * @param batchSize examples per mini-batch, >= 1
 * @param publishEveryBatches batches between versions, >= 1
 * @param publishEveryMs milliseconds between versions, >= 1
 * @param progressIntervalMs milliseconds between progress lines, >= 1
 * @param kafkaPort port of the embedded broker on localhost; 0 any free port (a taken port
 *     falls back to a free one, as the dashboard's does)
 * @param flightsFile the Flights records to replay as raw JSON ({@code --dataset flights}), or null
 * @param httpHost the interface the dashboard (and /metrics) listens on
 */
public record DemoSettings(long durationSeconds, String summaryJson, boolean fashionMnist, String dataDir,
                           int httpPort, int rate, String generator, long seed, double unlabeledShare,
                           String layersTemplate, double learningRate, int batchSize, int publishEveryBatches,
                           long publishEveryMs, long progressIntervalMs, int kafkaPort, String flightsFile,
                           String httpHost) {
  /** Validates. */
  public DemoSettings {
    if (fashionMnist && flightsFile != null) {
      throw new IllegalArgumentException("one dataset: Fashion-MNIST or Flights, not both");
    }
    if (kafkaPort < 0 || kafkaPort > 65_535) {
      throw new IllegalArgumentException("kafkaPort must be in [0, 65535], found " + kafkaPort);
    }
    if (summaryJson == null || dataDir == null || generator == null || layersTemplate == null) {
      throw new IllegalArgumentException("summaryJson, dataDir, generator and layersTemplate must not be null");
    }
    if (httpHost == null || httpHost.isBlank()) {
      throw new IllegalArgumentException("httpHost must name an interface, found '" + httpHost + "'");
    }
    if (durationSeconds < 0 || httpPort < 0 || httpPort > 65_535) {
      throw new IllegalArgumentException("durationSeconds must be >= 0 and httpPort in [0, 65535], found "
          + durationSeconds + " and " + httpPort);
    }
    if (rate < 1 || batchSize < 1 || publishEveryBatches < 1 || publishEveryMs < 1 || progressIntervalMs < 1) {
      throw new IllegalArgumentException("rate, batchSize, publishEveryBatches, publishEveryMs and "
          + "progressIntervalMs must be >= 1, found " + rate + ", " + batchSize + ", " + publishEveryBatches
          + ", " + publishEveryMs + ", " + progressIntervalMs);
    }
    if (!(unlabeledShare >= 0 && unlabeledShare <= 1) || !(learningRate > 0)) {
      throw new IllegalArgumentException("unlabeledShare must be in [0, 1] and learningRate > 0, found "
          + unlabeledShare + " and " + learningRate);
    }
  }

  /** Settings of a demo over streamlearn's own events (the generated stream or Fashion-MNIST), on loopback. */
  public DemoSettings(long durationSeconds, String summaryJson, boolean fashionMnist, String dataDir,
                      int httpPort, int rate, String generator, long seed, double unlabeledShare,
                      String layersTemplate, double learningRate, int batchSize, int publishEveryBatches,
                      long publishEveryMs, long progressIntervalMs, int kafkaPort) {
    this(durationSeconds, summaryJson, fashionMnist, dataDir, httpPort, rate, generator, seed, unlabeledShare,
        layersTemplate, learningRate, batchSize, publishEveryBatches, publishEveryMs, progressIntervalMs, kafkaPort,
        null, HttpKeys.LOOPBACK);
  }

  /** With the broker on its default port, {@value DemoConfig#DEFAULT_KAFKA_PORT} (when free). */
  public DemoSettings(long durationSeconds, String summaryJson, boolean fashionMnist, String dataDir,
                      int httpPort, int rate, String generator, long seed, double unlabeledShare,
                      String layersTemplate, double learningRate, int batchSize, int publishEveryBatches,
                      long publishEveryMs, long progressIntervalMs) {
    this(durationSeconds, summaryJson, fashionMnist, dataDir, httpPort, rate, generator, seed,
        unlabeledShare, layersTemplate, learningRate, batchSize, publishEveryBatches, publishEveryMs,
        progressIntervalMs, DemoConfig.DEFAULT_KAFKA_PORT);
  }

  /** The dataset's name, as {@code --dataset} takes it. */
  public String dataset() {
    return flightsFile != null ? DemoConfig.FLIGHTS : fashionMnist ? DemoConfig.FASHION_MNIST : DemoConfig.GENERATED;
  }

  /** Whether the Flights records are replayed, as raw JSON through a feature pipeline. */
  public boolean flights() {
    return flightsFile != null;
  }

  /** The network for {@code classes} classes. */
  public String layers(int classes) {
    return layersTemplate.replace("K", String.valueOf(classes));
  }
}
