package io.streamlearn.train;

import io.streamlearn.app.Artifacts;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerState;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.learn.scale.MinMaxScaler;
import io.streamlearn.learn.scale.OnlineScaler;
import io.streamlearn.learn.scale.StandardScaler;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
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
  final Learner learner;
  final LearningRateControl rate;
  private final String scalerKind;
  private OnlineScaler scaler;
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
    spec = NetworkSpec.parse(features, network.layers());
    Loss loss = Artifacts.loss(network.loss());
    if (loss.targetsPerRow(spec.outputs()) != 1) {
      throw new IllegalArgumentException("loss " + loss + " needs " + loss.targetsPerRow(spec.outputs())
          + " targets per example; an event's label holds one: use one output for regression");
    }
    signature = Artifacts.signature(spec, loss);
    configuredRate = network.learningRate();
    learner = new Learner(new TrainingConfig(spec, loss, network.optimizer(), network.batchSize(), network.seed()));
    rate = new LearningRateControl(rules.plateauPatience(), rules.plateauFactor(), rules.plateauMinDelta(),
        rules.plateauMinLr());
    scalerKind = network.scaler();
    scaler = newScaler(scalerKind, features);
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
    if (scaler != null) {
      scaler.update(batch.x, rows);
      scaler.transform(batch.x, rows);
    }
    float loss = learner.fit(batch.x, batch.y, rows, batch.predictions);
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

  /** The frozen preprocessing of the next version (what the candidate applies and the version stores). */
  Preprocessing preprocessing() {
    return scaler == null ? Preprocessing.identity() : scaler.freeze();
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
        rate.state(), scaler == null ? null : scaler.export(), join);
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
    if (!c.architecture().equals(spec.text()) || c.features() != spec.inputs()) {
      log.warn("checkpoint has network '{}' on {} features, the configuration '{}' on {}: fresh weights",
          c.architecture(), c.features(), spec.text(), spec.inputs());
      return;
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
}
