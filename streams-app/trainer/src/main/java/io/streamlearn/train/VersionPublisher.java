package io.streamlearn.train;

import io.streamlearn.app.Artifacts;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.drift.FeatureReference;
import io.streamlearn.registry.AliasChange;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.TrainingEventType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the current weights into a candidate version, measures it and the live version on the
 * hold-out set, applies the validation gate and reduce-on-plateau, and publishes the version with
 * its alias move (or records the rejection) in the producer's open transaction.
 */
final class VersionPublisher {
  private static final Logger log = LoggerFactory.getLogger(VersionPublisher.class);
  private static final String APP = "trainer";

  private final TrainerSettings settings;
  private final TrainerClock clock;
  private final String model;
  private final String modelsTopic;
  private final String alias;
  private final TrainingEvents events;
  private final RegistryCodec codec = new RegistryCodec();
  private Live live;
  private long highestVersion;
  long published;
  private Transactions.Announcement announcement;
  long rejected;

  VersionPublisher(TrainerSettings settings, TrainerClock clock, TrainingEvents events) {
    this.settings = settings;
    this.clock = clock;
    this.model = settings.model();
    this.modelsTopic = settings.topics().models();
    this.alias = settings.alias();
    this.events = events;
  }

  /**
   * The live version as the gate measures it: its model, and the pipeline its hold-out rows are
   * featurized with (null over events).
   */
  record Live(Model model, FrozenPipeline pipeline) {}

  /** The version the alias points at, the yardstick of the gate ({@code null} for none). */
  void live(Live model, long highestRegistered) {
    this.live = model;
    this.highestVersion = Math.max(highestVersion, highestRegistered);
  }

  /**
   * Judges the current weights and publishes them when the gate lets them through.
   *
   * @param ranges the input offsets consumed since the parent version
   * @return true when a version was published
   */
  boolean offer(Producer<String, byte[]> producer, TrainingState state, HoldOut holdout,
                Prequential prequential, List<OffsetRange> ranges, ValidationGate gate) {
    Model candidate = state.candidate();
    FrozenPipeline pipeline = state.frozenPipeline();
    HoldOut.Score score = holdout.score(candidate, pipeline);
    HoldOut.Score liveScore = live == null ? null : holdout.score(live.model(), live.pipeline());
    ValidationGate.Verdict verdict = gate.judge(score, liveScore);
    Map<String, Double> metrics = new LinkedHashMap<>(prequential.metrics());
    Prequential.putIfKnown(metrics, "holdoutAccuracy", score.accuracy());
    Prequential.putIfKnown(metrics, "holdoutLoss", score.loss());
    metrics.put("holdoutExamples", (double) score.examples());
    score.putPerClass(metrics, "holdout");
    if (liveScore != null) {
      Prequential.putIfKnown(metrics, "liveHoldoutAccuracy", liveScore.accuracy());
      Prequential.putIfKnown(metrics, "liveHoldoutLoss", liveScore.loss());
    }
    double before = state.learner.learningRate();
    String plateau = state.rate.observe(score.loss(), state.learner)
        ? String.format("; plateau: learning rate %.3g -> %.3g", before, state.learner.learningRate()) : "";
    if (!verdict.publish()) {
      rejected++;
      events.send(producer, TrainingEventType.REJECTED, state.lastVersion, state.examplesSeen,
          state.learner.learningRate(), metrics, "candidate rejected: " + verdict.reason() + plateau);
      log.info("model {}: candidate rejected, {}{}", model, verdict.reason(), plateau);
      return false;
    }
    long version = highestVersion + 1;
    Instant now = clock.now();
    ModelVersion v = ModelVersion.create(model, version, state.lastVersion, now, state.spec.text(),
        signature(state.signature, pipeline), state.preprocessing(), state.learner.parameters(),
        lineage(state, ranges), metrics);
    FeatureReference reference = state.reference();
    if (reference != null) {
      v = withReference(v, reference);
    }
    if (pipeline != null) {
      v = v.withFeaturePipeline(pipeline.toJson(), Artifacts.inputs(pipeline));
    }
    // A version larger than one record goes out as chunks plus a manifest, in this same transaction;
    // the alias move also writes its history record, as the registry service does.
    for (RegistryCodec.KeyValue kv : codec.versionRecords(v, RegistryCodec.DEFAULT_MAX_RECORD_BYTES)) {
      producer.send(new ProducerRecord<>(modelsTopic, kv.key(), kv.value()));
    }
    AliasMove move = new AliasMove(model, alias, version, now, APP, "published by the trainer: "
        + verdict.reason(), state.lastVersion);
    for (RegistryCodec.KeyValue kv : codec.moveRecords(move, AliasChange.Action.MOVE)) {
      producer.send(new ProducerRecord<>(modelsTopic, kv.key(), kv.value()));
    }
    events.send(producer, TrainingEventType.PUBLISHED, version, state.examplesSeen,
        state.learner.learningRate(), metrics, "version " + version + ": " + verdict.reason() + plateau);
    state.lastVersion = version;
    state.examplesSinceParent = 0;
    highestVersion = version;
    live = new Live(candidate, pipeline);
    published++;
    announcement = new Transactions.Announcement(version, String.format(
        "model %s: version %d published (%d examples seen; %s)%s", model, version, state.examplesSeen,
        verdict.reason(), plateau));
    return true;
  }

  /**
   * A version's signature: over raw records the label classes by class index, once the pipeline
   * has seen as many label values as the output layer has classes. Until then the names stay empty
   * (the registry takes all of them or none, and a placeholder would read as a label value): the
   * version's pipeline still names the classes taken so far, which is where inference reads a
   * prediction's label from.
   */
  static Signature signature(Signature signature, FrozenPipeline pipeline) {
    if (pipeline == null || signature.task() != Signature.Task.CLASSIFICATION) {
      return signature;
    }
    List<String> classes = pipeline.classes();
    return classes.size() == pipeline.classCount() ? signature.withClassNames(classes) : signature;
  }

  /**
   * The log line of the version written by the last {@link #offer}, once: the caller logs it when
   * the transaction holding the version has committed (a fenced or crashed trainer's never does).
   */
  Transactions.Announcement takeAnnouncement() {
    Transactions.Announcement a = announcement;
    announcement = null;
    return a;
  }

  Lineage lineage(TrainingState state, List<OffsetRange> ranges) {
    Map<String, String> hyper = new LinkedHashMap<>(settings.hyperparameters());
    hyper.put("learning.rate.current", String.valueOf(state.learner.learningRate()));
    return new Lineage(ranges, state.examplesSeen, state.examplesSinceParent, hyper,
        settings.network().seed(), Trainer.codeVersion());
  }

  /** The version with its reference sketch as the {@link FeatureReference#ANNOTATION} annotation. */
  static ModelVersion withReference(ModelVersion v, FeatureReference reference) {
    Map<String, String> annotations = new LinkedHashMap<>(v.annotations());
    annotations.put(FeatureReference.ANNOTATION, reference.toText());
    return v.withContent(v.tensors(), v.preprocessing(), annotations);
  }
}
