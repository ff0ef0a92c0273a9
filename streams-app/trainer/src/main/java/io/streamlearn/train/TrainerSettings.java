package io.streamlearn.train;

import io.streamlearn.app.RawInput;
import io.streamlearn.config.Checks;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.learn.OptimizerConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a trainer is told, read once from its {@link TrainerConfig}: the parts of the trainer
 * receive these records, not the raw keys, so a key is parsed in one place and a test can build a
 * trainer from values.
 *
 * @param model the model name in the registry
 * @param alias the alias each published version is moved to
 * @param clientProperties the Kafka client properties (bootstrap servers and the user's pass-through)
 * @param hyperparameters the configuration a version's lineage records, by key
 * @param input what the labeled topic holds: streamlearn's events, or the users' own records and
 *     the feature spec, label and id fields to read them with
 */
public record TrainerSettings(String model, String alias, Map<String, Object> clientProperties, Topics topics,
                              Network network, Schedule schedule, Rules rules, Drift drift,
                              DelayedLabels delayedLabels, Map<String, String> hyperparameters, RawInput input,
                              Group group) {
  /** The keys whose values a version's lineage records. */
  /** Validates and copies. */
  public TrainerSettings {
    Checks.text("model", model);
    Checks.text("alias", alias);
    clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(clientProperties));
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(drift, "drift");
    Objects.requireNonNull(delayedLabels, "delayedLabels");
    // In the configuration's order: the lineage lists them so.
    hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
    Objects.requireNonNull(input, "input");
    if (input.raw() && (input.spec() == null || input.label() == null)) {
      throw new IllegalArgumentException("a trainer of raw " + input.format().text()
          + " records needs a feature spec and a label field");
    }
    if (input.raw() && delayedLabels.enabled()) {
      throw new IllegalArgumentException("delayed labels join LabeledEvent features; raw records carry their label");
    }
    Objects.requireNonNull(group, "group");
    if (group.enabled() && (input.raw() || delayedLabels.enabled())) {
      throw new IllegalArgumentException("a trainer group reads LabeledEvents without delayed labels");
    }
  }

  /** Settings of one trainer (no group) over {@code input}. */
  public TrainerSettings(String model, String alias, Map<String, Object> clientProperties, Topics topics,
                         Network network, Schedule schedule, Rules rules, Drift drift,
                         DelayedLabels delayedLabels, Map<String, String> hyperparameters, RawInput input) {
    this(model, alias, clientProperties, topics, network, schedule, rules, drift, delayedLabels, hyperparameters,
        input, Group.OFF);
  }

  /** Settings of a trainer over streamlearn's own events. */
  public TrainerSettings(String model, String alias, Map<String, Object> clientProperties, Topics topics,
                         Network network, Schedule schedule, Rules rules, Drift drift,
                         DelayedLabels delayedLabels, Map<String, String> hyperparameters) {
    this(model, alias, clientProperties, topics, network, schedule, rules, drift, delayedLabels, hyperparameters,
        RawInput.EVENTS);
  }

  /** A copy reading {@code newInput}. */
  public TrainerSettings withInput(RawInput newInput) {
    return new TrainerSettings(model, alias, clientProperties, topics, network, schedule, rules, drift, delayedLabels,
        hyperparameters, newInput, group);
  }

  /** A copy training as a member of a group. */
  public TrainerSettings withGroup(Group newGroup) {
    return new TrainerSettings(model, alias, clientProperties, topics, network, schedule, rules, drift, delayedLabels,
        hyperparameters, input, newGroup);
  }

  /** Reads a parsed configuration. */
  public static TrainerSettings from(TrainerConfig c) {
    OptimizerConfig optimizer = c.optimizer();
    return new TrainerSettings(c.getString(CommonKeys.MODEL_NAME), c.getString(TrainerConfig.ALIAS),
        c.clientProperties(),
        new Topics(c.getString(CommonKeys.LABELED_TOPIC), c.getString(CommonKeys.FEATURES_TOPIC),
            c.getString(TrainerConfig.LABELS_TOPIC), c.getString(CommonKeys.MODELS_TOPIC),
            c.getString(CommonKeys.METRICS_TOPIC), c.getString(CommonKeys.DEAD_LETTER_TOPIC),
            c.getString(TrainerConfig.CHECKPOINT_TOPIC), c.getInt(CommonKeys.TOPIC_PARTITIONS),
            c.getShort(CommonKeys.REPLICATION_FACTOR)),
        new Network(c.getInt(TrainerConfig.FEATURES), c.getString(TrainerConfig.LAYERS),
            c.getString(TrainerConfig.LOSS), optimizer, optimizer.learningRate(),
            c.getInt(TrainerConfig.BATCH_SIZE), c.getLong(TrainerConfig.SEED), c.getString(TrainerConfig.SCALER),
            c.getString(TrainerConfig.INITIAL_MODEL)),
        new Schedule(c.getInt(TrainerConfig.CHECKPOINT_EVERY_BATCHES), c.getLong(TrainerConfig.CHECKPOINT_EVERY_MS),
            c.getInt(TrainerConfig.PUBLISH_EVERY_BATCHES), c.getLong(TrainerConfig.PUBLISH_EVERY_MS),
            c.getLong(TrainerConfig.PUBLISH_MIN_INTERVAL_MS), c.getInt(TrainerConfig.DRIFT_PUBLISH_AFTER_BATCHES),
            c.getLong(TrainerConfig.HEALTH_CHECKPOINT_MAX_AGE_MS)),
        new Rules(c.getDouble(TrainerConfig.HOLDOUT_FRACTION), c.getInt(TrainerConfig.HOLDOUT_SIZE),
            c.getInt(TrainerConfig.HOLDOUT_MIN_EXAMPLES), c.getDouble(TrainerConfig.GATE_MARGIN),
            c.getInt(TrainerConfig.PLATEAU_PATIENCE), c.getDouble(TrainerConfig.PLATEAU_FACTOR),
            c.getDouble(TrainerConfig.PLATEAU_MIN_DELTA), c.getDouble(TrainerConfig.PLATEAU_MIN_LR),
            c.getInt(TrainerConfig.PREQUENTIAL_WINDOW), c.getDouble(TrainerConfig.FADING_FACTOR),
            c.getInt(TrainerConfig.REFERENCE_MAX_FEATURES), c.getLong(TrainerConfig.MAX_LAG)),
        new Drift(c.getString(TrainerConfig.DRIFT_DETECTOR), c.getDouble(TrainerConfig.DRIFT_DELTA),
            c.getDouble(TrainerConfig.DRIFT_THRESHOLD), c.getString(TrainerConfig.DRIFT_ACTION),
            c.getDouble(TrainerConfig.DRIFT_LR_FACTOR), c.getInt(TrainerConfig.DRIFT_BOOST_BATCHES)),
        new DelayedLabels(c.getBoolean(TrainerConfig.DELAYED_LABELS), c.getLong(TrainerConfig.LABEL_WINDOW_MS),
            c.getInt(TrainerConfig.LABEL_MAX_PENDING)),
        c.effectiveValues(), RawInput.from(c, true),
        new Group(c.getString(TrainerConfig.GROUP_MEMBER).strip(), c.getInt(TrainerConfig.GROUP_SYNC_BATCHES),
            c.getLong(TrainerConfig.GROUP_SYNC_MS), c.getLong(TrainerConfig.GROUP_ROUND_TIMEOUT_MS),
            c.getString(TrainerConfig.GROUP_COMBINE), c.getString(TrainerConfig.GROUP_SYNC_TOPIC)));
  }

  /** The trainer's topics, and how it creates the missing ones. */
  public record Topics(String labeled, String features, String labels, String models, String metrics,
                       String deadLetter, String checkpoint, int partitions, short replicationFactor) {
    /** Validates. */
    public Topics {
      for (String t : new String[] {labeled, features, labels, models, metrics, deadLetter, checkpoint}) {
        Checks.text("topic", t);
      }
      Checks.atLeast("partitions", partitions, 1);
    }
  }

  /**
   * The network and how it learns.
   *
   * @param features the input feature count, 0 to take it from the registry or the first event
   * @param learningRate the configured base rate (a checkpoint's rate yields to a changed one)
   * @param initialModel weights to start a new model from: {@code name:version}, {@code name} or an
   *     {@code .onnx} file; empty for fresh weights
   */
  public record Network(int features, String layers, String loss, OptimizerConfig optimizer, double learningRate,
                        int batchSize, long seed, String scaler, String initialModel) {
    /** Validates. */
    public Network {
      Checks.atLeast("features", features, 0);
      Checks.text("layers", layers);
      Checks.text("loss", loss);
      Objects.requireNonNull(optimizer, "optimizer");
      Checks.atLeast("batchSize", batchSize, 1);
      Checks.text("scaler", scaler);
      Objects.requireNonNull(initialModel, "initialModel");
    }
  }

  /**
   * When the trainer checkpoints and publishes. A publication is always a checkpoint too.
   *
   * @param publishMinIntervalMs no two versions closer than this (0: no limit), except the first after a drift
   * @param driftPublishAfterBatches batches after a drift at which a candidate is due regardless of the pace
   * @param checkpointMaxAgeMs readiness: the oldest a last committed checkpoint may be while records wait;
   *     0 for {@link #defaultCheckpointMaxAgeMs}
   */
  public record Schedule(int checkpointEveryBatches, long checkpointEveryMs, int publishEveryBatches,
                         long publishEveryMs, long publishMinIntervalMs, int driftPublishAfterBatches,
                         long checkpointMaxAgeMs) {
    /** Validates; a {@code checkpointMaxAgeMs} of 0 becomes the default derived from the checkpoint interval. */
    public Schedule {
      Checks.atLeast("checkpointEveryBatches", checkpointEveryBatches, 1);
      Checks.atLeast("checkpointEveryMs", checkpointEveryMs, 1);
      Checks.atLeast("publishEveryBatches", publishEveryBatches, 1);
      Checks.atLeast("publishEveryMs", publishEveryMs, 1);
      Checks.atLeast("publishMinIntervalMs", publishMinIntervalMs, 0);
      Checks.atLeast("driftPublishAfterBatches", driftPublishAfterBatches, 1);
      Checks.atLeast("checkpointMaxAgeMs", checkpointMaxAgeMs, 0);
      if (checkpointMaxAgeMs == 0) {
        checkpointMaxAgeMs = defaultCheckpointMaxAgeMs(checkpointEveryMs);
      }
    }

    /** A schedule whose readiness allows the default checkpoint age. */
    public Schedule(int checkpointEveryBatches, long checkpointEveryMs, int publishEveryBatches,
                    long publishEveryMs, long publishMinIntervalMs, int driftPublishAfterBatches) {
      this(checkpointEveryBatches, checkpointEveryMs, publishEveryBatches, publishEveryMs, publishMinIntervalMs,
          driftPublishAfterBatches, 0);
    }

    /**
     * Thirty checkpoint intervals, at least a minute: a healthy trainer with records to read commits
     * every interval, a batch or a publication (the gate scores the hold-out set) late at worst, so
     * only a stuck one misses thirty in a row.
     */
    public static long defaultCheckpointMaxAgeMs(long checkpointEveryMs) {
      return checkpointEveryMs > Long.MAX_VALUE / 30 ? Long.MAX_VALUE : Math.max(60_000L, 30L * checkpointEveryMs);
    }
  }

  /** The hold-out set, the validation gate, reduce-on-plateau and the prequential metrics. */
  public record Rules(double holdoutFraction, int holdoutSize, int holdoutMinExamples, double gateMargin,
                      int plateauPatience, double plateauFactor, double plateauMinDelta, double plateauMinLr,
                      int prequentialWindow, double fadingFactor, int referenceMaxFeatures, long maxLag) {
    /** Validates. */
    public Rules {
      Checks.atLeast("referenceMaxFeatures", referenceMaxFeatures, 0);
      if (maxLag < 0) {
        throw new IllegalArgumentException("maxLag must be >= 0 (0 is off), found " + maxLag);
      }
      if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
        throw new IllegalArgumentException("holdoutFraction must be in [0, 1), found " + holdoutFraction);
      }
      Checks.atLeast("holdoutSize", holdoutSize, 1);
      Checks.atLeast("holdoutMinExamples", holdoutMinExamples, 1);
      Checks.atLeast("plateauPatience", plateauPatience, 0);
      Checks.atLeast("prequentialWindow", prequentialWindow, 1);
    }

    /** Rules without a bound on the lag ({@code max.lag} 0: every event is trained on). */
    public Rules(double holdoutFraction, int holdoutSize, int holdoutMinExamples, double gateMargin,
                 int plateauPatience, double plateauFactor, double plateauMinDelta, double plateauMinLr,
                 int prequentialWindow, double fadingFactor, int referenceMaxFeatures) {
      this(holdoutFraction, holdoutSize, holdoutMinExamples, gateMargin, plateauPatience, plateauFactor,
          plateauMinDelta, plateauMinLr, prequentialWindow, fadingFactor, referenceMaxFeatures, 0);
    }
  }

  /** The drift detector on the prequential error and what the trainer does when it fires. */
  public record Drift(String detector, double delta, double threshold, String action, double lrFactor,
                      int boostBatches) {
    /** Validates. */
    public Drift {
      Checks.text("detector", detector);
      Checks.text("action", action);
      Checks.atLeast("boostBatches", boostBatches, 1);
    }
  }

  /** The join of FeatureEvents with LabelEvents that come later. */
  public record DelayedLabels(boolean enabled, long windowMs, int maxPending) {
    /** Validates. */
    public DelayedLabels {
      Checks.atLeast("windowMs", windowMs, 1);
      Checks.atLeast("maxPending", maxPending, 1);
    }
  }

  /**
   * Training in a group of trainers ({@code group.*}): see {@code GroupSync}.
   *
   * @param member this process's member id; empty for a trainer on its own
   * @param syncBatches a member contributes its update after this many batches...
   * @param syncMs ...or this many milliseconds, whichever first
   * @param roundTimeoutMs the publishing member folds a round this long after its oldest pending contribution
   * @param combine {@link GroupFold#SUM} or {@link GroupFold#MEAN}
   * @param topic the sync topic
   */
  public record Group(String member, int syncBatches, long syncMs, long roundTimeoutMs, String combine,
                      String topic) {
    /** No group: one trainer owns every partition. */
    public static final Group OFF = new Group("", 200, 1_000, 5_000, GroupFold.MEAN, "streamlearn.trainer-sync");

    /** Validates. */
    public Group {
      Objects.requireNonNull(member, "member");
      Checks.atLeast("syncBatches", syncBatches, 1);
      Checks.atLeast("syncMs", syncMs, 1);
      Checks.atLeast("roundTimeoutMs", roundTimeoutMs, 1);
      if (!combine.equals(GroupFold.SUM) && !combine.equals(GroupFold.MEAN)) {
        throw new IllegalArgumentException("combine must be sum or mean, found " + combine);
      }
      Checks.text("topic", topic);
    }

    /** Whether this trainer is a member of a group. */
    public boolean enabled() {
      return !member.isEmpty();
    }
  }
}
