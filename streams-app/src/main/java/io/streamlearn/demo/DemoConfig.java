package io.streamlearn.demo;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
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
  public static final String BATCH_SIZE = "batch.size";
  public static final String PUBLISH_EVERY_BATCHES = "publish.every.batches";
  public static final String PUBLISH_EVERY_MS = "publish.every.ms";
  public static final String PROGRESS_INTERVAL_MS = "progress.interval.ms";

  /** The table. */
  public static final ConfigDef DEF = new ConfigDef()
      .define(DURATION, Type.LONG, 0L, Range.atLeast(0), Importance.HIGH,
          "Seconds to run before stopping cleanly; 0 runs until Ctrl-C.")
      .define(SUMMARY_JSON, Type.STRING, "", Importance.MEDIUM,
          "Write a JSON summary (eventsProduced, predictions, versionsPublished, liveVersion, "
              + "prequentialAccuracy, ...) to this file at the end.")
      .define(RATE, Type.INT, 2000, Range.between(1, 1_000_000), Importance.MEDIUM,
          "Events produced per second.")
      .define(GENERATOR, Type.STRING, "blobs", ValidString.in("blobs", "hyperplane", "sea"),
          Importance.MEDIUM, "The generated stream: drifting Gaussian blobs, rotating hyperplane or SEA.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of the generator and the model.")
      .define(UNLABELED_SHARE, Type.DOUBLE, 0.2, Range.between(0.0, 1.0), Importance.LOW,
          "Share of events produced as unlabeled FeatureEvents; the rest are LabeledEvents.")
      .define(LAYERS, Type.STRING, "dense(32,relu) > dense(K,softmax)", new CommonKeys.NonBlank(),
          Importance.MEDIUM, "The network; K stands for the generator's class count.")
      .define(LEARNING_RATE, Type.DOUBLE, 0.01, Range.between(1e-9, 10.0), Importance.LOW,
          "Adam learning rate.")
      .define(BATCH_SIZE, Type.INT, 64, Range.between(1, 65_536), Importance.LOW, "Mini-batch size.")
      .define(PUBLISH_EVERY_BATCHES, Type.INT, 50, Range.atLeast(1), Importance.LOW,
          "Publish a version after this many batches.")
      .define(PUBLISH_EVERY_MS, Type.LONG, 5000L, Range.atLeast(1), Importance.LOW,
          "Publish a version after this many milliseconds.")
      .define(PROGRESS_INTERVAL_MS, Type.LONG, 5000L, Range.atLeast(100), Importance.LOW,
          "Milliseconds between progress lines.");

  /** Parses and validates. */
  public DemoConfig(Map<String, String> merged) {
    super(DEF, Settings.ownKeys(merged), false);
  }

  /** From command-line arguments and the environment. */
  public static DemoConfig fromArgs(List<String> args, Map<String, String> env) {
    return new DemoConfig(Settings.collect(DEF, args, env));
  }
}
