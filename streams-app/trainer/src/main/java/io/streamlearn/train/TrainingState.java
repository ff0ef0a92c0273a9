package io.streamlearn.train;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.RawInput;
import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerState;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.learn.drift.FeatureReference;
import io.streamlearn.learn.drift.ReferenceSketch;
import io.streamlearn.learn.scale.MinMaxScaler;
import io.streamlearn.learn.scale.OnlineScaler;
import io.streamlearn.learn.scale.StandardScaler;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learning side of a trainer, with no Kafka in it: the network and its optimizer, the online
 * scaler, the learning-rate control and the example counters. It trains batches (scoring each
 * first), and turns itself into a {@link Checkpoint} and back. Not thread-safe.
 */
final class TrainingState {
  private static final Logger log = LoggerFactory.getLogger(TrainingState.class);

  final NetworkSpec spec;
  final Signature signature;
  /** Over raw records: the pipeline fitted online (mutable, part of the checkpoint); null over events. */
  FeaturePipeline pipeline;
  private final RawInput input;
  final Learner learner;
  final LearningRateControl rate;
  private final String scalerKind;
  private OnlineScaler scaler;
  /**
   * The reference sketch of the inputs trained on (before scaling: what a FeatureEvent carries and the
   * evaluation bins), in the checkpoint; null over raw records (the evaluation reads events only) or
   * with {@code reference.max.features=0}.
   */
  private ReferenceSketch sketch;
  private final int referenceMaxFeatures;
  private final double configuredRate;
  long lastVersion;
  long examplesSeen;
  long examplesSinceParent;

  /**
   * What one batch did.
   *
   * @param loss the batch's mean loss before the update
   * @param driftAt the example count (examples seen) at which a drift was detected, -1 for none
   */
  record Outcome(float loss, long driftAt) {
    boolean drift() {
      return driftAt >= 0;
    }
  }

  TrainingState(TrainerSettings.Network network, TrainerSettings.Rules rules, int features) {
    this(network, rules, features, RawInput.EVENTS);
  }

  /**
   * The state of a trainer over {@code input}: over raw records the network reads the pipeline's
   * rows ({@code FeatureLayout.totalWidth()} wide, sparse fields as such) and the label vocabulary
   * may grow to the output layer's class count; {@code features} is then ignored.
   */
  TrainingState(TrainerSettings.Network network, TrainerSettings.Rules rules, int features, RawInput input) {
    this.input = input;
    FeatureLayout featureLayout = null;
    if (input.raw()) {
      Loss l = Artifacts.loss(network.loss());
      pipeline = new FeaturePipeline(input.spec(), input.label(),
          RawTraining.classCount(NetworkSpec.parse(1, network.layers()), l));
      featureLayout = pipeline.layout();
      features = featureLayout.totalWidth();
    }
    spec = NetworkSpec.parse(features, network.layers());
    Loss loss = Artifacts.loss(network.loss());
    if (loss.targetsPerRow(spec.outputs()) != 1) {
      throw new IllegalArgumentException("loss " + loss + " needs " + loss.targetsPerRow(spec.outputs())
          + " targets per example; an event's label holds one: use one output for regression");
    }
    signature = Artifacts.signature(spec, loss);
    configuredRate = network.learningRate();
    learner = new Learner(new TrainingConfig(spec, loss, network.optimizer(), network.batchSize(), network.seed(),
        featureLayout));
    rate = new LearningRateControl(rules.plateauPatience(), rules.plateauFactor(), rules.plateauMinDelta(),
        rules.plateauMinLr());
    scalerKind = network.scaler();
    scaler = input.raw() ? null : newScaler(scalerKind, features);
    referenceMaxFeatures = rules.referenceMaxFeatures();
    sketch = newSketch();
  }

  private ReferenceSketch newSketch() {
    return input.raw() || referenceMaxFeatures == 0 ? null : new ReferenceSketch(spec.inputs(),
        ReferenceSketch.DEFAULT_BINS, referenceMaxFeatures, ReferenceSketch.DEFAULT_WARMUP);
  }

  /** The reference sketch for the next version (fixes its bins if the warm-up has not), or null without one. */
  FeatureReference reference() {
    return sketch == null ? null : sketch.reference();
  }

  private static OnlineScaler newScaler(String kind, int features) {
    return switch (kind) {
      case "standard" -> new StandardScaler(features);
      case "minmax" -> new MinMaxScaler(features);
      default -> null;
    };
  }

  /**
   * Scores the batch with the current weights (into {@code batch.predictions}), then trains on it.
   * The batch's inputs are scaled in place. On a non-finite loss nothing is counted.
   */
  Outcome train(Batch batch, Prequential prequential, DriftMonitor drift) {
    int rows = batch.rows;
    if (sketch != null && batch.sparse == null) {
      sketch.add(batch.x, rows); // a rollback restores the checkpoint's sketch with the rest
    }
    if (scaler != null) {
      scaler.update(batch.x, rows);
      scaler.transform(batch.x, rows);
    }
    float loss = batch.sparse != null ? learner.fit(batch.sparse, batch.y, 0, batch.predictions)
        : learner.fit(batch.x, batch.y, rows, batch.predictions);
    if (!Float.isFinite(loss)) {
      return new Outcome(loss, -1);
    }
    long driftAt = -1;
    int outputs = spec.outputs();
    for (int i = 0; i < rows; i++) {
      if (drift.update(prequential.add(batch.predictions, i * outputs, outputs, batch.y[i])) && driftAt < 0) {
        driftAt = examplesSeen + i + 1;
      }
    }
    examplesSeen += rows;
    examplesSinceParent += rows;
    rate.afterBatch(learner);
    return new Outcome(loss, driftAt);
  }

  /** The scaler's statistics, or null without a scaler: what a group's round carries. */
  OnlineScaler.State scalerState() {
    return scaler == null ? null : scaler.export();
  }

  /** Takes a group round's scaler statistics (the publishing member's), when of this trainer's kind. */
  void adoptScaler(OnlineScaler.State s) {
    if (s != null && s.kind().equals(scalerKind) && scaler != null) {
      scaler = OnlineScaler.restore(s);
    }
  }

  /** The frozen preprocessing of the next version (what the candidate applies and the version stores). */
  Preprocessing preprocessing() {
    return scaler == null ? Preprocessing.identity() : scaler.freeze();
  }

  /** The pipeline as fitted now, for a candidate version; null over events. */
  FrozenPipeline frozenPipeline() {
    return pipeline == null ? null : pipeline.freeze();
  }

  /**
   * Whether a version's input fits this trainer: over events, a version without a feature pipeline;
   * over raw records, one whose pipeline has this trainer's feature spec and label.
   */
  boolean readsLike(ModelVersion v) {
    if (pipeline == null) {
      return !v.hasFeaturePipeline();
    }
    if (!v.hasFeaturePipeline()) {
      return false;
    }
    try {
      return samePipeline(FrozenPipeline.parse(v.featurePipeline()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private boolean samePipeline(FrozenPipeline p) {
    return p.spec().equals(pipeline.spec()) && java.util.Objects.equals(p.labelSpec(), pipeline.labelSpec())
        && p.classCount() == pipeline.classCount();
  }

  /** An immutable model of the current weights and scaler. */
  Model candidate() {
    return learner.snapshot(preprocessing());
  }

  /** Whether every weight is finite. */
  boolean weightsFinite() {
    for (NamedTensor t : learner.parameters()) {
      for (float v : t.data()) {
        if (!Float.isFinite(v)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Zeroes the optimizer's slots and step counter (Adam's moments start afresh). */
  void resetOptimizer() {
    List<NamedTensor> zeroed = new ArrayList<>();
    for (NamedTensor t : learner.optimizerState().slots()) {
      zeroed.add(new NamedTensor(t.name(), t.shape(), new float[t.size()]));
    }
    learner.restoreOptimizerState(new OptimizerState(0, zeroed));
  }

  /** Continues from a published version's weights (no checkpoint: optimizer state starts afresh). */
  void warmStart(ModelVersion v) {
    examplesSeen = v.lineage().examplesSeen();
    lastVersion = v.version();
    startFrom(v);
    if (pipeline != null) {
      // readsLike(v) held: continue fitting the version's pipeline, its vocabularies and statistics.
      pipeline = FrozenPipeline.parse(v.featurePipeline()).thaw();
    }
  }

  /**
   * Takes a version's weights and scaler statistics but none of its counters: the start of a new
   * model from another one ({@code --initial-model}), or the weights half of {@link #warmStart}.
   */
  void startFrom(ModelVersion v) {
    learner.setParameters(v.tensors());
    Preprocessing p = v.preprocessing();
    if (scaler instanceof StandardScaler && p.kind().equals("standard") && !p.isIdentity()) {
      // Rebuild the running statistics the frozen offset and scale came from.
      float[] offset = p.offset();
      float[] scale = p.scale();
      long n = Math.max(1, v.lineage().examplesSeen());
      double[] mean = new double[offset.length];
      double[] m2 = new double[offset.length];
      for (int j = 0; j < offset.length; j++) {
        mean[j] = offset[j];
        m2[j] = n / ((double) scale[j] * scale[j]);
      }
      scaler = OnlineScaler.restore(new OnlineScaler.State(StandardScaler.KIND, n, mean, m2));
    }
  }

  Checkpoint checkpoint(String model, List<Checkpoint.PartitionProgress> partitions, LabelJoin.State join) {
    return new Checkpoint(model, spec.text(), spec.inputs(), lastVersion, examplesSeen, examplesSinceParent,
        partitions, learner.parameters(), learner.optimizerState(), configuredRate, learner.learningRate(),
        rate.state(), scaler == null ? null : scaler.export(), join,
        pipeline == null ? null : pipeline.freeze().toJson(), sketch == null ? null : sketch.toBytes());
  }

  /**
   * Resumes from a checkpoint. Counters always come back; weights, optimizer state and scaler only
   * when the checkpoint's network is the configured one (otherwise training restarts from fresh
   * weights, as after changing the architecture of a registered model).
   */
  void restore(Checkpoint c) {
    lastVersion = c.lastVersion();
    examplesSeen = c.examplesSeen();
    examplesSinceParent = c.examplesSinceParent();
    sketch = restoredSketch(c.reference());
    if (!c.architecture().equals(spec.text()) || c.features() != spec.inputs()) {
      log.warn("checkpoint has network '{}' on {} features, the configuration '{}' on {}: fresh weights",
          c.architecture(), c.features(), spec.text(), spec.inputs());
      return;
    }
    if (pipeline != null) {
      FrozenPipeline saved = c.pipeline() == null ? null : FrozenPipeline.parse(c.pipeline());
      if (saved == null || !samePipeline(saved)) {
        log.warn("checkpoint's feature pipeline ({}) is not the configured '{}' with label '{}': fresh weights and"
            + " pipeline", saved == null ? "none" : saved.spec().text(), pipeline.spec().text(),
            pipeline.labelSpec() == null ? "" : pipeline.labelSpec().text());
        pipeline = new FeaturePipeline(input.spec(), input.label(), pipeline.classCount());
        return;
      }
      pipeline = saved.thaw();
    }
    learner.setParameters(c.parameters());
    try {
      learner.restoreOptimizerState(c.optimizer());
    } catch (IllegalArgumentException e) {
      log.warn("checkpointed optimizer state does not fit the configured optimizer ({}); it starts afresh",
          e.getMessage());
      resetOptimizer();
    }
    rate.restore(c.rate());
    // A rate changed on the command line wins over the rate the previous run had arrived at.
    learner.setLearningRate(c.configuredLearningRate() == configuredRate ? c.learningRate() : configuredRate);
    OnlineScaler.State s = c.scaler();
    if (s != null && s.kind().equals(scalerKind)) {
      scaler = OnlineScaler.restore(s);
    } else {
      scaler = newScaler(scalerKind, spec.inputs());
    }
  }

  /** The checkpoint's sketch when it fits this trainer; a fresh one otherwise (an older checkpoint has none). */
  private ReferenceSketch restoredSketch(byte[] saved) {
    if (saved == null || newSketch() == null) {
      return newSketch();
    }
    try {
      ReferenceSketch s = ReferenceSketch.fromBytes(saved);
      if (s.features() == spec.inputs()) {
        return s;
      }
      log.warn("checkpoint's reference sketch is over {} features, the network reads {}: a fresh sketch",
          s.features(), spec.inputs());
    } catch (IllegalArgumentException e) {
      log.warn("checkpoint's reference sketch is unreadable ({}): a fresh sketch", e.getMessage());
    }
    return newSketch();
  }
}
