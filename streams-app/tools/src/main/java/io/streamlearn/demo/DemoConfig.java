package io.streamlearn.demo;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.data.FashionMnist;
import io.streamlearn.data.Flights;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/** The demo's configuration table. */
public final class DemoConfig extends AbstractConfig {
  public static final String DURATION = "duration";
  public static final String SUMMARY_JSON = "summary.json";
  public static final String RATE = "rate";
  public static final String GENERATOR = "generator";
  public static final String SEED = "seed";
  public static final String UNLABELED_SHARE = "unlabeled.share";
  public static final String LAYERS = "layers";
  public static final String LEARNING_RATE = "learning.rate";
  public static final String BATCH_SIZE = CommonKeys.BATCH_SIZE;
  public static final String PUBLISH_EVERY_BATCHES = "publish.every.batches";
  public static final String PUBLISH_EVERY_MS = "publish.every.ms";
  public static final String PROGRESS_INTERVAL_MS = "progress.interval.ms";
  public static final String DATASET = "dataset";
  public static final String DATA_DIR = "data.dir";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_HOST = HttpKeys.HOST;
  public static final String KAFKA_PORT = "kafka.port";
  /** Kafka's usual port, where clients look by default ({@code localhost:9092}). */
  public static final int DEFAULT_KAFKA_PORT = 9092;
  /** The dataset value of the generated stream. */
  public static final String GENERATED = "generated";
  /** The dataset value of Fashion-MNIST. */
  public static final String FASHION_MNIST = "fashion-mnist";
  /** The dataset value of the Flights records, replayed as raw JSON. */
  public static final String FLIGHTS = "flights";

  /** The table. */
  public static final ConfigDef DEF = CommonKeys.batchSize(new ConfigDef(), 64)
      .define(DURATION, Type.LONG, 0L, Range.atLeast(0), Importance.HIGH,
          "Seconds to run before stopping cleanly; 0 runs until Ctrl-C.")
      .define(SUMMARY_JSON, Type.STRING, "", Importance.MEDIUM,
          "Write a JSON summary (eventsProduced, predictions, versionsPublished, liveVersion, "
              + "prequentialAccuracy, ...) to this file at the end.")
      .define(DATASET, Type.STRING, GENERATED, ValidString.in(GENERATED, FASHION_MNIST, FLIGHTS),
          Importance.HIGH, "What to replay: the generated drifting stream (see --generator), "
              + "Fashion-MNIST (training images as labeled events, test images held back as "
              + "unlabeled FeatureEvents), or flights (vega-datasets' flights-20k.json in time order, cycled,"
              + " as raw JSON records the trainer and inference read through a feature pipeline; label"
              + " delay>15; ./streamlearn fetch-data gets the file).")
      .define(DATA_DIR, Type.STRING, FashionMnist.DEFAULT_DIR, new CommonKeys.NonBlank(),
          Importance.MEDIUM, "Directory of the Fashion-MNIST IDX files (Debian's "
              + "dataset-fashion-mnist installs them here).")
      .define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65_535), Importance.MEDIUM,
          "Port of the dashboard (0 or a taken port: any free port).")
      .define(HttpKeys.host())
      .define(KAFKA_PORT, Type.INT, DEFAULT_KAFKA_PORT, Range.between(0, 65_535), Importance.MEDIUM,
          "Port of the embedded broker on localhost, so clients outside the demo (the examples, "
              + "kafka-console-consumer) reach it at --bootstrap-servers localhost:PORT; 0 or a "
              + "taken port: any free port. The demo prints 'Kafka at localhost:PORT' at start.")
      .define(RATE, Type.INT, 0, Range.between(0, 1_000_000), Importance.MEDIUM,
          "Events produced per second; 0: 2000 for the generated stream, 1000 for Fashion-MNIST, 330 for Flights"
              + " (its 20,000 flights in a minute).")
      .define(GENERATOR, Type.STRING, "blobs", ValidString.in("blobs", "hyperplane", "sea"),
          Importance.MEDIUM, "The generated stream: drifting Gaussian blobs, rotating hyperplane or SEA.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of the generator and the model.")
      .define(UNLABELED_SHARE, Type.DOUBLE, 0.2, Range.between(0.0, 1.0), Importance.LOW,
          "Share of events held back as unlabeled FeatureEvents (never trained on; the dashboard "
              + "scores them as hold-out); the rest are LabeledEvents.")
      .define(LAYERS, Type.STRING, "", Importance.MEDIUM,
          "The network; K stands for the class count. Empty: 'dense(32,relu) > dense(K,softmax)' "
              + "for the generated stream, 'dense(128,relu) > dense(K,softmax)' for Fashion-MNIST.")
      .define(LEARNING_RATE, Type.DOUBLE, 0.0, Range.between(0.0, 10.0), Importance.LOW,
          "Adam learning rate; 0: 0.01 for the generated stream, 0.001 for Fashion-MNIST.")
      .define(PUBLISH_EVERY_BATCHES, Type.INT, 50, Range.atLeast(1), Importance.LOW,
          "Publish a version after this many batches.")
      .define(PUBLISH_EVERY_MS, Type.LONG, 5000L, Range.atLeast(1), Importance.LOW,
          "Publish a version after this many milliseconds.")
      .define(PROGRESS_INTERVAL_MS, Type.LONG, 5000L, Range.atLeast(100), Importance.LOW,
          "Milliseconds between progress lines.");

  /** Parses and validates. */
  public DemoConfig(Map<String, String> merged) {
    // ownKeys with the table: --kafka-port is the demo's own key, not a client property.
    super(DEF, Settings.ownKeys(DEF, merged), false);
  }

  /** The settings the demo runs with, read once; 0 and empty values take the dataset's defaults. */
  public DemoSettings settings() {
    boolean fashionMnist = getString(DATASET).equals(FASHION_MNIST);
    boolean flights = getString(DATASET).equals(FLIGHTS);
    int rate = getInt(RATE);
    double learningRate = getDouble(LEARNING_RATE);
    String layers = getString(LAYERS);
    return new DemoSettings(getLong(DURATION), getString(SUMMARY_JSON), fashionMnist, getString(DATA_DIR),
        getInt(HTTP_PORT), rate > 0 ? rate : fashionMnist ? 1000 : flights ? Flights.REPLAY_RATE : 2000,
        getString(GENERATOR), getLong(SEED),
        getDouble(UNLABELED_SHARE), !layers.isBlank() ? layers
            : fashionMnist ? "dense(128,relu) > dense(K,softmax)"
            : flights ? Flights.LAYERS : "dense(32,relu) > dense(K,softmax)",
        learningRate > 0 ? learningRate : fashionMnist ? 0.001 : flights ? Flights.LEARNING_RATE : 0.01,
        getInt(BATCH_SIZE),
        getInt(PUBLISH_EVERY_BATCHES), getLong(PUBLISH_EVERY_MS), getLong(PROGRESS_INTERVAL_MS),
        getInt(KAFKA_PORT), flights ? Flights.defaultPath(System.getenv()).toString() : null, getString(HTTP_HOST));
  }

  /** From command-line arguments and the environment. */
  public static DemoConfig fromArgs(List<String> args, Map<String, String> env) {
    return new DemoConfig(Settings.collect(DEF, args, env));
  }
}
