package io.streamlearn.train;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.RawInput;
import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.EffectiveValues;
import io.streamlearn.config.HttpKeys;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.learn.LayerSpec;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.schema.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * The trainer's configuration table. Every value is checked while the options are read, with the
 * engine's own parsers for the network and the optimizer, so a typo fails before anything touches
 * Kafka.
 */
public final class TrainerConfig extends AppConfig {
  public static final String FEATURES = "features";
  public static final String LAYERS = "layers";
  public static final String LOSS = "loss";
  public static final String OPTIMIZER = "optimizer";
  public static final String LEARNING_RATE = "learning.rate";
  public static final String MOMENTUM = "momentum";
  public static final String L2 = "l2";
  public static final String BATCH_SIZE = CommonKeys.BATCH_SIZE;
  public static final String SEED = "seed";
  public static final String PUBLISH_EVERY_BATCHES = "publish.every.batches";
  public static final String PUBLISH_EVERY_MS = "publish.every.ms";
  public static final String PUBLISH_MIN_INTERVAL_MS = "publish.min.interval.ms";
  public static final String ALIAS = CommonKeys.ALIAS;
  public static final String PREQUENTIAL_WINDOW = "prequential.window";
  public static final String FADING_FACTOR = "fading.factor";
  public static final String REFERENCE_MAX_FEATURES = "reference.max.features";
  public static final String SCALER = "scaler";
  public static final String INITIAL_MODEL = "initial.model";
  public static final String CHECKPOINT_TOPIC = "checkpoint.topic";
  public static final String CHECKPOINT_EVERY_BATCHES = "checkpoint.every.batches";
  public static final String CHECKPOINT_EVERY_MS = "checkpoint.every.ms";
  public static final String HEALTH_CHECKPOINT_MAX_AGE_MS = "health.checkpoint.max.age.ms";
  public static final String MAX_LAG = "max.lag";
  public static final String HOLDOUT_FRACTION = "holdout.fraction";
  public static final String HOLDOUT_SIZE = "holdout.size";
  public static final String HOLDOUT_MIN_EXAMPLES = "holdout.min.examples";
  public static final String GATE_MARGIN = "gate.margin";
  public static final String PLATEAU_PATIENCE = "plateau.patience";
  public static final String PLATEAU_FACTOR = "plateau.factor";
  public static final String PLATEAU_MIN_DELTA = "plateau.min.delta";
  public static final String PLATEAU_MIN_LR = "plateau.min.lr";
  public static final String DRIFT_DETECTOR = "drift.detector";
  public static final String DRIFT_DELTA = "drift.delta";
  public static final String DRIFT_THRESHOLD = "drift.threshold";
  public static final String DRIFT_ACTION = "drift.action";
  public static final String DRIFT_LR_FACTOR = "drift.lr.factor";
  public static final String DRIFT_BOOST_BATCHES = "drift.boost.batches";
  public static final String DRIFT_PUBLISH_AFTER_BATCHES = "drift.publish.after.batches";
  public static final String DELAYED_LABELS = "delayed.labels";
  public static final String GROUP_MEMBER = "group.member";
  public static final String GROUP_SYNC_BATCHES = "group.sync.batches";
  public static final String GROUP_SYNC_MS = "group.sync.ms";
  public static final String GROUP_ROUND_TIMEOUT_MS = "group.round.timeout.ms";
  public static final String GROUP_COMBINE = "group.combine";
  public static final String GROUP_SYNC_TOPIC = "group.sync.topic";
  public static final String LABELS_TOPIC = CommonKeys.LABELS_TOPIC;
  public static final String LABEL_WINDOW_MS = "label.window.ms";
  public static final String LABEL_MAX_PENDING = "label.max.pending";
  /** Lineage key of the optimizer as the engine runs it, flags and text combined. */
  public static final String OPTIMIZER_EFFECTIVE = "optimizer.effective";

  /** The table: shared keys plus the trainer's own. */
  public static final ConfigDef DEF = RawInputKeys.define(CommonKeys.batchSize(CommonKeys.alias(
      CommonKeys.define(new ConfigDef()), "The alias each published version is promoted to."), 64))
      .define(HttpKeys.host())
      .define(HttpKeys.port(HttpKeys.OFF, "/metrics, /health/live and /health/ready"))
      .define(FEATURES, Type.INT, 0, Range.atLeast(0), Importance.HIGH,
          "Input feature count; 0 takes it from the latest registered version, else from the first event.")
      .define(LAYERS, Type.STRING, "dense(64,relu) > dense(10,softmax)",
          new CommonKeys.ParsedBy("a network such as dense(64,relu) > dense(10,softmax)",
              NetworkSpec::parseLayers), Importance.HIGH, "The network, e.g. 'dense(128,relu) > dropout(0.2) > dense(10,softmax)'; "
              + "the last layer's units are the class count (or output width).")
      .define(LOSS, Type.STRING, "softmax_cross_entropy",
          ValidString.in("softmax_cross_entropy", "mse", "binary_cross_entropy"), Importance.HIGH,
          "The loss.")
      .define(OPTIMIZER, Type.STRING, "adam",
          new CommonKeys.ParsedBy("sgd, adam, rmsprop or adagrad, optionally with (key=value,...)",
              TrainerConfig::parseOptimizerText), Importance.HIGH,
          "The optimizer: a name (sgd, adam, rmsprop, adagrad) or the engine's text form with keys lr, "
              + "momentum, nesterov, beta1, beta2, epsilon, rho, l2, clipnorm, clipvalue and schedule, e.g. "
              + "'adam(lr=1e-3, schedule=cosine(20000), clipnorm=1.0)' or 'sgd(lr=0.01, momentum=0.9, "
              + "nesterov=true)'. A value in the text wins over --learning-rate, --momentum and --l2; "
              + "those fill in what the text leaves out.")
      .define(LEARNING_RATE, Type.DOUBLE, 0.001, Range.between(1e-9, 10.0), Importance.HIGH,
          "The learning rate, unless --optimizer gives lr.")
      .define(MOMENTUM, Type.DOUBLE, 0.9, Range.between(0.0, 0.9999), Importance.LOW,
          "Momentum, for sgd, unless --optimizer gives momentum.")
      .define(L2, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.LOW,
          "L2 weight decay, unless --optimizer gives l2.")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Random seed of weight initialisation and dropout.")
      .define(PUBLISH_EVERY_BATCHES, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
          "Publish a version after this many batches.")
      .define(PUBLISH_EVERY_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.MEDIUM,
          "Publish a version after this many milliseconds with at least one new batch.")
      .define(PUBLISH_MIN_INTERVAL_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.MEDIUM,
          "Never publish versions closer together than this, whatever the other rules say (a fast stream "
              + "would otherwise make a version, a registry record and a model swap every few batches); "
              + "0 turns the limit off. Neither the first version after a drift nor the last one at shutdown "
              + "is limited.")
      .define(PREQUENTIAL_WINDOW, Type.INT, 1000, Range.atLeast(1), Importance.LOW,
          "Examples in the sliding window of the prequential metrics.")
      .define(FADING_FACTOR, Type.DOUBLE, 0.999, Range.between(0.5, 1.0), Importance.LOW,
          "Fading factor of the faded prequential metrics (weight of an example 'age' examples old: factor^age).")
      .define(REFERENCE_MAX_FEATURES, Type.INT, 64, Range.atLeast(0), Importance.LOW,
          "Input columns (the first ones) of the reference sketch each version carries for drift without labels"
              + " (10-bin histograms of the training inputs, annotation reference.sketch); the rest are named"
              + " unsketched. 0: no sketch. Over events only (not raw records).")
      .define(SCALER, Type.STRING, "none", ValidString.in("none", "standard", "minmax"), Importance.MEDIUM,
          "Online input scaler learned from the stream and frozen into each published version's "
              + "preprocessing: none, standard (running mean and standard deviation) or minmax.")
      .define(INITIAL_MODEL, Type.STRING, "", Importance.MEDIUM,
          "Weights to start from when the model has no checkpoint and no version of this network yet (a warm "
              + "start): a registry version name:version (or name for its latest), or an ONNX file (.onnx); its "
              + "architecture must be --layers and its feature count the stream's. Empty: fresh weights.")
      .define(CHECKPOINT_TOPIC, Type.STRING, Topics.TRAINER_STATE, new CommonKeys.NonBlank(),
          Importance.MEDIUM, "Compacted topic of trainer checkpoints (weights, optimizer and scaler "
              + "state, version counter, consumed offsets), written in the transaction that commits the offsets.")
      .define(CHECKPOINT_EVERY_BATCHES, Type.INT, 1000, Range.atLeast(1), Importance.MEDIUM,
          "Checkpoint (commit a transaction) after this many batches; a publication is always a checkpoint too.")
      .define(CHECKPOINT_EVERY_MS, Type.LONG, 2_000L, Range.atLeast(1), Importance.MEDIUM,
          "Checkpoint after this many milliseconds with at least one new record.")
      .define(HEALTH_CHECKPOINT_MAX_AGE_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
          "Readiness (/health/ready): the trainer is not ready while records wait and its last committed "
              + "checkpoint is older than this (an idle input with nothing to commit stays ready). 0 (the "
              + "default): 30 x checkpoint.every.ms, at least 60000.")
      .define(MAX_LAG, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
          "Bounded staleness, in records: while more than this many input records wait behind the one being "
              + "read (the consumer lag), the trainer trains on a deterministic sample of its events (by a hash "
              + "of the id, independent of the hold-out's) at the rate max.lag / backlog, rounded down to a "
              + "sixteenth and at least 1/16, until it catches up; skipped events are consumed and committed, "
              + "not trained on, and each lineage range records its rate and skipped count. 0 (the default): off.")
      .define(HOLDOUT_FRACTION, Type.DOUBLE, 0.1, Range.between(0.0, 0.5), Importance.MEDIUM,
          "Share of events held out by a hash of their id: never trained on, they measure each candidate version.")
      .define(HOLDOUT_SIZE, Type.INT, 2_000, Range.between(1, 1_000_000), Importance.LOW,
          "The most recent held-out events kept to measure candidates.")
      .define(HOLDOUT_MIN_EXAMPLES, Type.INT, 100, Range.atLeast(1), Importance.LOW,
          "Held-out events needed before the validation gate judges; with fewer a candidate is published ungated.")
      .define(GATE_MARGIN, Type.DOUBLE, 0.01, Range.between(0.0, 1.0), Importance.MEDIUM,
          "Validation gate: a candidate is published unless its hold-out accuracy (classification) is "
              + "lower than the live version's by more than this, or its hold-out loss (regression) higher "
              + "by more than this fraction of the live one's. 1 accepts every finite candidate.")
      .define(PLATEAU_PATIENCE, Type.INT, 5, Range.atLeast(0), Importance.LOW,
          "Reduce-on-plateau: candidates in a row without a hold-out loss improvement before the "
              + "learning rate is reduced; 0 switches it off.")
      .define(PLATEAU_FACTOR, Type.DOUBLE, 0.5, Range.between(0.01, 0.99), Importance.LOW,
          "Reduce-on-plateau: factor applied to the learning rate.")
      .define(PLATEAU_MIN_DELTA, Type.DOUBLE, 1e-3, Range.atLeast(0.0), Importance.LOW,
          "Reduce-on-plateau: a smaller decrease of the hold-out loss is not an improvement.")
      .define(PLATEAU_MIN_LR, Type.DOUBLE, 1e-6, Range.between(1e-12, 10.0), Importance.LOW,
          "Reduce-on-plateau: the learning rate is never reduced below this.")
      .define(DRIFT_DETECTOR, Type.STRING, "adwin", ValidString.in("adwin", "page_hinkley", "none"),
          Importance.MEDIUM, "Drift detector on the prequential error (0/1 misclassification, squared "
              + "error for regression): adwin, page_hinkley or none.")
      .define(DRIFT_DELTA, Type.DOUBLE, 0.002, Range.between(1e-9, 0.5), Importance.LOW,
          "ADWIN confidence delta, or Page-Hinkley's tolerated change.")
      .define(DRIFT_THRESHOLD, Type.DOUBLE, 50.0, Range.between(1e-9, 1e9), Importance.LOW,
          "Page-Hinkley detection threshold (lambda).")
      .define(DRIFT_ACTION, Type.STRING, "raise_lr", ValidString.in("raise_lr", "reset_optimizer", "none"),
          Importance.MEDIUM, "On drift: raise the learning rate for a while (raise_lr), reset the "
              + "optimizer state (reset_optimizer) or only report it (none). In every case a DRIFT "
              + "record is published, the hold-out set restarts and the next version comes sooner.")
      .define(DRIFT_LR_FACTOR, Type.DOUBLE, 5.0, Range.between(1.0, 1000.0), Importance.LOW,
          "raise_lr: factor applied to the learning rate after a drift.")
      .define(DRIFT_BOOST_BATCHES, Type.INT, 100, Range.atLeast(1), Importance.LOW,
          "raise_lr: batches trained at the raised rate before it returns to its value before the drift.")
      .define(DRIFT_PUBLISH_AFTER_BATCHES, Type.INT, 20, Range.atLeast(1), Importance.LOW,
          "After a drift, publish a candidate after this many batches instead of waiting for the usual period.")
      .define(DELAYED_LABELS, Type.BOOLEAN, false, Importance.MEDIUM,
          "Also learn from labels that arrive later than their example: read FeatureEvents from the "
              + "features topic and LabelEvents from the labels topic and train on each pair joined by id.")
      .define(CommonKeys.labelsTopic())
      .define(LABEL_WINDOW_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
          "Delayed labels: a FeatureEvent or LabelEvent waits for its partner until the stream time "
              + "(the newest eventTime seen) is this much past its own eventTime; then it is dropped and counted.")
      .define(LABEL_MAX_PENDING, Type.INT, 10_000, Range.between(1, 10_000_000), Importance.LOW,
          "Delayed labels: the most unmatched events kept (each side); the oldest are dropped beyond it. "
              + "They are part of the checkpoint, so keep features x this x 4 bytes well under 16 MiB.")
      .define(GROUP_MEMBER, Type.STRING, "", Importance.HIGH,
          "Train in a group: this process joins the trainer group of --model as the member with this id (unique "
              + "in the group, stable across restarts: a restart fences its predecessor). Members share the input "
              + "partitions through the consumer group, train local replicas and merge them through the sync topic; "
              + "the member owning the labeled topic's partition 0 publishes. Empty (the default): one trainer.")
      .define(GROUP_SYNC_BATCHES, Type.INT, 200, Range.atLeast(1), Importance.MEDIUM,
          "Group: a member sends its update (a contribution) to the sync topic after this many batches...")
      .define(GROUP_SYNC_MS, Type.LONG, 1_000L, Range.atLeast(1), Importance.MEDIUM,
          "Group: ...or after this many milliseconds with a record read, whichever comes first.")
      .define(GROUP_ROUND_TIMEOUT_MS, Type.LONG, 5_000L, Range.atLeast(1), Importance.LOW,
          "Group: the publishing member folds the pending contributions into a round once every active member "
              + "has sent one, or this long after the oldest pending one arrived.")
      .define(GROUP_COMBINE, Type.STRING, GroupFold.MEAN, ValidString.in(GroupFold.SUM, GroupFold.MEAN),
          Importance.LOW, "Group: how a round folds the members' updates into the group's weights: mean (model "
              + "averaging, each member's progress weighted by its examples; the default: it never diverged in the "
              + "bench) or sum (each update applied once; as fast as one trainer per example, but it diverged for a "
              + "CNN with 4 members).")
      .define(GROUP_SYNC_TOPIC, Type.STRING, "streamlearn.trainer-sync", new CommonKeys.NonBlank(), Importance.LOW,
          "Group: the compacted topic of contributions and rounds (keys prefixed with the model name).");

  private final OptimizerConfig optimizer;

  /** Parses and validates; throws {@link ConfigException} naming the key. */
  public TrainerConfig(Map<String, String> merged) {
    super(DEF, merged);
    optimizer = effectiveOptimizer();
    checkLossFitsNetwork();
    checkRawInput();
    checkGroup();
  }

  // A group merges the replicas' weights; what else a trainer learns online must be mergeable too.
  private void checkGroup() {
    String member = getString(GROUP_MEMBER).strip();
    if (member.isEmpty()) {
      return;
    }
    if (!member.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new ConfigException(GROUP_MEMBER, member, "a member id is 1 to 100 letters, digits, '.', '_' or '-'");
    }
    if (RawInput.from(this, true).raw()) {
      throw new ConfigException(GROUP_MEMBER, member, "trainer groups read LabeledEvents; with --input-format the "
          + "pipeline's vocabularies and label classes are fitted per process and are not merged across members");
    }
    if (getBoolean(DELAYED_LABELS)) {
      throw new ConfigException(GROUP_MEMBER, member, "trainer groups do not join delayed labels: the join needs "
          + "a partition's features and labels in one process, which the group's assignment does not guarantee");
    }
  }

  /** From command-line arguments and the environment. */
  public static TrainerConfig fromArgs(List<String> args, Map<String, String> env) {
    return new TrainerConfig(Settings.collect(DEF, args, env));
  }

  /**
   * The optimizer: {@code optimizer}'s text, with {@code learning.rate}, {@code momentum} (for
   * sgd) and {@code l2} filling in the keys the text leaves out.
   */
  public OptimizerConfig optimizer() {
    return optimizer;
  }

  /**
   * Every key with the value in effect, the pass-through Kafka properties without their secrets,
   * and the optimizer as the engine runs it ({@value #OPTIMIZER_EFFECTIVE}): what a version's
   * lineage records.
   */
  public Map<String, String> effectiveValues() {
    Map<String, String> values = new TreeMap<>(EffectiveValues.of(this));
    values.put(OPTIMIZER_EFFECTIVE, optimizer.text());
    return values;
  }

  // Only the text: sgd's momentum may come from --momentum (nesterov needs it > 0), and the
  // constructor checks the text with the flags once every key is known.
  private static OptimizerConfig parseOptimizerText(String text) {
    return OptimizerConfig.parse(text, Map.of("momentum", "0.9"));
  }

  private OptimizerConfig effectiveOptimizer() {
    String text = getString(OPTIMIZER);
    Map<String, String> fallback = new HashMap<>(Map.of(
        "lr", String.valueOf(getDouble(LEARNING_RATE)), "l2", String.valueOf(getDouble(L2))));
    try {
      if (parseOptimizerText(text).kind() == OptimizerConfig.Kind.SGD) {
        fallback.put("momentum", String.valueOf(getDouble(MOMENTUM)));
      }
      return OptimizerConfig.parse(text, fallback);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(OPTIMIZER, text, e.getMessage() + " (with --learning-rate "
          + getDouble(LEARNING_RATE) + ", --momentum " + getDouble(MOMENTUM) + ", --l2 " + getDouble(L2) + ")");
    }
  }

  // A raw format: its keys go together (RawInput names the flag), the label fits the output layer
  // and nothing that only reads LabeledEvents is switched on.
  private void checkRawInput() {
    RawInput input = RawInput.from(this, true);
    if (!input.raw()) {
      return;
    }
    if (getBoolean(DELAYED_LABELS)) {
      throw new ConfigException(DELAYED_LABELS, true, "joins FeatureEvents with LabelEvents; with --input-format "
          + input.format().text() + " each record carries its label (--label-field)");
    }
    if (!getString(SCALER).equals("none")) {
      throw new ConfigException(SCALER, getString(SCALER), "scales LabeledEvent features; with --input-format "
          + input.format().text() + " the feature spec's numeric fields are standardized by the pipeline");
    }
    List<LayerSpec> layers = NetworkSpec.parseLayers(getString(LAYERS));
    NetworkSpec spec = new NetworkSpec(1, List.of(layers.get(layers.size() - 1))); // the output layer tells the classes
    Loss loss = Artifacts.loss(getString(LOSS));
    try {
      new FeaturePipeline(input.spec(), input.label(), RawTraining.classCount(spec, loss));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(RawInputKeys.LABEL_FIELD, getString(RawInputKeys.LABEL_FIELD),
          "does not fit --layers " + getString(LAYERS) + " and --loss " + getString(LOSS) + ": " + e.getMessage());
    }
  }

  // The network's input count is only known from the registry or the first event; any count
  // tells whether the loss fits the output layer, which the engine would refuse later.
  private void checkLossFitsNetwork() {
    List<LayerSpec> layers = NetworkSpec.parseLayers(getString(LAYERS));
    Loss loss = Artifacts.loss(getString(LOSS));
    try {
      // the output layer alone: the shapes of image layers need the real input count
      NetworkSpec spec = new NetworkSpec(1, List.of(layers.get(layers.size() - 1)));
      new TrainingConfig(spec, loss, optimizer, getInt(BATCH_SIZE), getLong(SEED));
      if (loss.targetsPerRow(spec.outputs()) != 1) {
        throw new IllegalArgumentException("an event's label is one target; a regression network has one output, "
            + "found " + spec.outputs());
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(LAYERS, getString(LAYERS), "does not fit --loss " + getString(LOSS)
          + ": " + e.getMessage());
    }
  }

  /** Where {@code train} listens for HTTP (off unless {@code --http-port} is set). */
  public HttpSettings http() {
    return HttpSettings.of(this);
  }
}
