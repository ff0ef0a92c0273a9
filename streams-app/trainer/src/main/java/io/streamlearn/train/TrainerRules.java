package io.streamlearn.train;

import io.streamlearn.schema.TrainingEventType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a trainer sets up once it knows its network: the learning state, the batch being filled,
 * the prequential metrics and drift detector, the hold-out set and validation gate, and the
 * delayed-label join (null without delayed labels). It also holds the drift reaction. Not
 * thread-safe.
 */
final class TrainerRules {
  private static final Logger log = LoggerFactory.getLogger(TrainerRules.class);

  final TrainingState state;
  /** The general path's batch; the fast path's batches come in chunks. */
  final Batch batch;
  final Prequential prequential;
  final DriftMonitor drift;
  final HoldOut holdout;
  final ValidationGate gate;
  final LabelJoin join;
  private final TrainerSettings settings;

  /** @param ledger knows the input partitions (the join keeps a watermark per partition) */
  TrainerRules(TrainerSettings settings, TrainingState state, OffsetLedger ledger) {
    this.settings = settings;
    this.state = state;
    int features = state.spec.inputs();
    TrainerSettings.Rules r = settings.rules();
    TrainerSettings.Drift d = settings.drift();
    batch = state.pipeline == null ? new Batch(settings.network().batchSize(), features, state.spec.outputs())
        : new Batch(settings.network().batchSize(), state.pipeline.layout(), state.spec.outputs());
    prequential = new Prequential(state.signature.task(), r.prequentialWindow(), r.fadingFactor());
    drift = new DriftMonitor(d.detector(), d.delta(), d.threshold());
    holdout = state.pipeline == null ? new HoldOut(r.holdoutFraction(), r.holdoutSize(), features,
        state.spec.outputs(), state.signature.task())
        : new HoldOut(r.holdoutFraction(), r.holdoutSize(), state.spec.outputs(), state.signature.task());
    gate = new ValidationGate(state.signature.task(), r.gateMargin(), r.holdoutMinExamples());
    TrainerSettings.DelayedLabels delayed = settings.delayedLabels();
    join = !delayed.enabled() ? null : new LabelJoin(delayed.windowMs(), delayed.maxPending(),
        ledger.partitionCount(settings.topics().features()), ledger.partitionCount(settings.topics().labels()));
  }

  /**
   * Reacts to a drift detected at example {@code detectedAt}: the configured action on the learning
   * rate or optimizer, a fresh plateau and hold-out set (they describe the old concept), and a DRIFT
   * record in the producer's open transaction.
   */
  void onDrift(long detectedAt, long drifts, TrainingEvents events, Producer<String, byte[]> producer) {
    TrainerSettings.Drift d = settings.drift();
    double before = state.learner.learningRate();
    if (d.action().equals("raise_lr")) {
      state.rate.boost(state.learner, d.lrFactor(), d.boostBatches());
    } else if (d.action().equals("reset_optimizer")) {
      state.resetOptimizer();
    }
    state.rate.resetPlateau();
    holdout.clear();
    Map<String, Double> metrics = new LinkedHashMap<>(prequential.metrics());
    metrics.put("drifts", (double) drifts);
    String message = String.format("drift detected at example %d; action %s, learning rate %.3g -> %.3g",
        detectedAt, d.action(), before, state.learner.learningRate());
    // examplesSeen is the exact example at which the detector fired (the batch around it is trained).
    events.send(producer, TrainingEventType.DRIFT, state.lastVersion, detectedAt,
        state.learner.learningRate(), metrics, message);
    log.info("model {}: {}", settings.model(), message);
  }

  /** Back to a checkpoint after a rollback. */
  void restore(Checkpoint lastGood) {
    state.restore(lastGood);
    if (join != null) {
      join.restore(lastGood.join());
    }
  }
}
