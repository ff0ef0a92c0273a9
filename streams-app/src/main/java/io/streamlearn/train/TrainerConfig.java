package io.streamlearn.train;

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

/** The trainer's configuration table. */
public final class TrainerConfig extends AbstractConfig {
  public static final String FEATURES = "features";
  public static final String LAYERS = "layers";
  public static final String LOSS = "loss";
  public static final String OPTIMIZER = "optimizer";
  public static final String LEARNING_RATE = "learning.rate";
  public static final String MOMENTUM = "momentum";
  public static final String L2 = "l2";
  public static final String BATCH_SIZE = "batch.size";
  public static final String SEED = "seed";
  public static final String PUBLISH_EVERY_BATCHES = "publish.every.batches";
  public static final String PUBLISH_EVERY_MS = "publish.every.ms";
  public static final String ALIAS = "alias";
  public static final String PREQUENTIAL_WINDOW = "prequential.window";

  /** The table: shared keys plus the trainer's own. */
  public static final ConfigDef DEF = CommonKeys.define(new ConfigDef())
      .define(FEATURES, Type.INT, 0, Range.atLeast(0), Importance.HIGH,
          "Input feature count; 0 takes it from the latest registered version, else from the first event.")
      .define(LAYERS, Type.STRING, "dense(64,relu) > dense(10,softmax)", new CommonKeys.NonBlank(),
          Importance.HIGH, "The network, e.g. 'dense(128,relu) > dropout(0.2) > dense(10,softmax)'; "
              + "the last layer's units are the class count (or output width).")
      .define(LOSS, Type.STRING, "softmax_cross_entropy",
          ValidString.in("softmax_cross_entropy", "mse", "binary_cross_entropy"), Importance.HIGH,
          "The loss.")
      .define(OPTIMIZER, Type.STRING, "adam", ValidString.in("adam", "sgd", "rmsprop", "adagrad"),
          Importance.HIGH, "The optimizer.")
      .define(LEARNING_RATE, Type.DOUBLE, 0.001, Range.between(1e-9, 10.0), Importance.HIGH,
          "The learning rate.")
      .define(MOMENTUM, Type.DOUBLE, 0.9, Range.between(0.0, 0.9999), Importance.LOW,
          "Momentum, for sgd.")
      .define(L2, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.LOW, "L2 weight decay.")
      .define(BATCH_SIZE, Type.INT, 64, Range.between(1, 65_536), Importance.MEDIUM,
          "Examples per mini-batch.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Random seed of weight initialisation and dropout.")
      .define(PUBLISH_EVERY_BATCHES, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
          "Publish a version after this many batches.")
      .define(PUBLISH_EVERY_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.MEDIUM,
          "Publish a version after this many milliseconds with at least one new batch.")
      .define(ALIAS, Type.STRING, "live", new CommonKeys.NonBlank(), Importance.MEDIUM,
          "The alias each published version is promoted to.")
      .define(PREQUENTIAL_WINDOW, Type.INT, 1000, Range.atLeast(1), Importance.LOW,
          "Examples in the sliding window of the prequential metrics.");

  private final Map<String, Object> kafka;

  /** Parses and validates; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
  public TrainerConfig(Map<String, String> merged) {
    super(DEF, Settings.ownKeys(merged), false);
    this.kafka = Settings.kafkaProperties(merged);
  }

  /** From command-line arguments and the environment. */
  public static TrainerConfig fromArgs(List<String> args, Map<String, String> env) {
    return new TrainerConfig(Settings.collect(DEF, args, env));
  }

  /** Pass-through Kafka client properties (security and the like). */
  public Map<String, Object> kafkaProperties() {
    return kafka;
  }
}
