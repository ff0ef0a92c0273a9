package io.streamlearn.train;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.DeadLetters;
import io.streamlearn.app.InputChecks;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.learn.Model;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.LabelEvent;
import io.streamlearn.schema.TrainingEventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous trainer of one model.
 *
 * <p>It owns every partition of its input topics. Each mini-batch is first scored by the current
 * weights (test-then-train, giving the prequential metrics and the drift detector's input) and then
 * trained on; a deterministic share of events (by a hash of the id) is held out instead. At every
 * checkpoint it commits one Kafka transaction holding the consumed offsets, a {@link Checkpoint}
 * of its whole state on the compacted checkpoint topic, a PROGRESS record and, when a version is
 * due and the validation gate passes, the new version and its alias move. A trainer killed at any
 * moment resumes from its last checkpoint: nothing is trained twice or skipped, and the lineage
 * ranges of the published versions cover each consumed offset exactly once.
 *
 * <p>A batch with a non-finite loss is discarded, the open transaction aborted, the state rolled
 * back to the last checkpoint and the input replayed from there with the poisoned batch's records
 * sent to the dead-letter topic; an ALERT record says so. Invalid records go to the dead-letter
 * topic as well.
 */
public final class Trainer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Trainer.class);
  private static final String APP = "trainer";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final TrainerConfig config;
  private final String model;
  private final Map<String, Object> clientProps;
  private final String labeledTopic;
  private final String featuresTopic;
  private final String labelsTopic;
  private final boolean delayedLabels;
  private final InputEventDecoder labeledDecoder = InputEventDecoder.forLabeled();
  private final InputEventDecoder featureDecoder = InputEventDecoder.forFeatures();
  private final AvroSerde<LabelEvent> labelSerde = AvroSerde.of(LabelEvent.class);
  private final TrainingEvents events;
  private final VersionPublisher publisher;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile TrainerStatus status = TrainerStatus.initial();

  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> consumer;
  private TrainingState state;
  private Batch batch;
  private Prequential prequential;
  private DriftMonitor drift;
  private HoldOut holdout;
  private ValidationGate gate;
  private LabelJoin join;
  private LabeledRowDecoder rowDecoder;
  private float[] scratch;
  private Checkpoint lastGood;
  private final Map<TopicPartition, Long> rangeStart = new LinkedHashMap<>();
  private final Map<TopicPartition, Long> nextOffset = new LinkedHashMap<>();
  private final Map<TopicPartition, Set<Long>> poisoned = new HashMap<>();
  private long epoch;
  private boolean dirty;
  private long batchesSinceCheckpoint;
  private long batchesSincePublish;
  private long batchesSinceDrift = -1;
  private long lastCheckpointNanos = System.nanoTime();
  private long lastPublishNanos = System.nanoTime();
  private final Counters counters = new Counters();

  /** Running totals for the status and the PROGRESS records. */
  static final class Counters {
    long consumed;
    long heldOut;
    long deadLetters;
    long discardedBatches;
    long drifts;
    long skippedFeatureRecords;
  }

  /** A trainer; {@link #run()} starts it. */
  public Trainer(TrainerConfig config) {
    this.config = config;
    this.model = config.getString(CommonKeys.MODEL_NAME);
    this.clientProps = KafkaSupport.clientProperties(
        config.getString(CommonKeys.BOOTSTRAP_SERVERS), config.kafkaProperties());
    this.labeledTopic = config.getString(CommonKeys.LABELED_TOPIC);
    this.featuresTopic = config.getString(CommonKeys.FEATURES_TOPIC);
    this.labelsTopic = config.getString(TrainerConfig.LABELS_TOPIC);
    this.delayedLabels = config.getBoolean(TrainerConfig.DELAYED_LABELS);
    this.events = new TrainingEvents(config.getString(CommonKeys.METRICS_TOPIC), model);
    this.publisher = new VersionPublisher(config, model, events);
  }

  /** The latest status; safe from any thread. */
  public TrainerStatus status() {
    return status;
  }

  /** Asks the loop to stop; it publishes what it trained since the last version, then returns. */
  public void stop() {
    running = false;
  }

  /** Waits until {@link #run()} has returned. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    try {
      runLoop();
    } finally {
      stopped.countDown();
    }
  }

  private void runLoop() {
    ensureTopics();
    String txId = "streamlearn-trainer-" + model;
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProps(txId),
             new StringDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerProps(txId),
             new StringSerializer(), new ByteArraySerializer())) {
      consumer = c;
      producer = p;
      // First: fences a killed predecessor and aborts its open transaction, so the registry and
      // checkpoint topics can be read to their committed end.
      producer.initTransactions();
      start();
      producer.beginTransaction();
      while (running) {
        long at = epoch;
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          handle(r);
          if (epoch != at) {
            break; // rolled back: the rest of this poll is replayed from the checkpoint
          }
        }
        if (checkpointDue()) {
          commit(publishDue(), true);
        }
      }
      commit(true, false);
    }
    log.info("trainer of model {} stopped at version {}", model, state == null ? 0 : state.lastVersion);
  }

  private void ensureTopics() {
    List<KafkaSupport.TopicSpec> topics = new ArrayList<>(List.of(
        KafkaSupport.eventTopic(labeledTopic, config.getInt(CommonKeys.TOPIC_PARTITIONS)),
        KafkaSupport.registryTopic(config.getString(CommonKeys.MODELS_TOPIC)),
        // Compacted, one partition and 16 MiB records: the registry's needs are the checkpoint's.
        KafkaSupport.registryTopic(config.getString(TrainerConfig.CHECKPOINT_TOPIC)),
        KafkaSupport.eventTopic(config.getString(CommonKeys.METRICS_TOPIC), 1),
        KafkaSupport.deadLetterTopic(config.getString(CommonKeys.DEAD_LETTER_TOPIC))));
    if (delayedLabels) {
      topics.add(KafkaSupport.eventTopic(featuresTopic, config.getInt(CommonKeys.TOPIC_PARTITIONS)));
      topics.add(KafkaSupport.eventTopic(labelsTopic, config.getInt(CommonKeys.TOPIC_PARTITIONS)));
    }
    KafkaSupport.ensureTopics(clientProps, config.getShort(CommonKeys.REPLICATION_FACTOR), topics);
  }

  /** Reads registry and checkpoint, assigns the input partitions and positions the consumer. */
  private void start() {
    RegistryState registry = RegistryReader.read(clientProps, config.getString(CommonKeys.MODELS_TOPIC),
        STARTUP_TIMEOUT);
    Optional<Checkpoint> checkpoint = CheckpointStore.latest(clientProps,
        config.getString(TrainerConfig.CHECKPOINT_TOPIC), model, STARTUP_TIMEOUT);
    Optional<ModelVersion> latest = registry.latest(model);
    List<TopicPartition> partitions = new ArrayList<>(partitionsOf(labeledTopic));
    if (delayedLabels) {
      partitions.addAll(partitionsOf(featuresTopic));
      partitions.addAll(partitionsOf(labelsTopic));
    }
    consumer.assign(partitions);
    Map<TopicPartition, Checkpoint.PartitionProgress> saved = new HashMap<>();
    checkpoint.ifPresent(c -> c.partitions().forEach(pp ->
        saved.put(new TopicPartition(pp.topic(), pp.partition()), pp)));
    for (TopicPartition tp : partitions) {
      Checkpoint.PartitionProgress pp = saved.get(tp);
      if (pp != null) {
        consumer.seek(tp, pp.nextOffset());
        rangeStart.put(tp, pp.rangeStart());
        nextOffset.put(tp, pp.nextOffset());
      } else {
        long position = consumer.position(tp, STARTUP_TIMEOUT);
        rangeStart.put(tp, position);
        nextOffset.put(tp, position);
      }
    }
    int features = config.getInt(TrainerConfig.FEATURES);
    if (features == 0) {
      features = checkpoint.map(Checkpoint::features)
          .orElse(latest.map(v -> v.signature().featureCount()).orElse(0));
    }
    if (features > 0) {
      init(features, checkpoint, latest);
      lastGood = snapshot();
    }
    publisher.live(liveModel(registry), registry.latestVersionNumber(model));
    log.info("trainer of model {} starts after version {} ({}) at positions {}", model,
        state == null ? 0 : state.lastVersion, checkpoint.isPresent() ? "from its checkpoint" : "no checkpoint",
        nextOffset);
  }

  private int partitionCount(String topic) {
    return (int) nextOffset.keySet().stream().filter(tp -> tp.topic().equals(topic)).count();
  }

  private List<TopicPartition> partitionsOf(String topic) {
    return consumer.partitionsFor(topic, STARTUP_TIMEOUT).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  private Model liveModel(RegistryState registry) {
    Optional<ModelVersion> v = registry.aliased(model, config.getString(TrainerConfig.ALIAS));
    if (v.isEmpty() || state == null || !v.get().architecture().equals(state.spec.text())
        || v.get().signature().featureCount() != state.spec.inputs()) {
      return null;
    }
    try {
      return Artifacts.toModel(v.get().verifyChecksum());
    } catch (InvalidModelException e) {
      log.warn("live version {} is invalid, the gate ignores it: {}", v.get().key(), e.getMessage());
      return null;
    }
  }

  private void init(int features, Optional<Checkpoint> checkpoint, Optional<ModelVersion> latest) {
    state = new TrainingState(config, features);
    if (checkpoint.isPresent()) {
      state.restore(checkpoint.get());
    } else if (latest.isPresent() && latest.get().architecture().equals(state.spec.text())
        && latest.get().signature().featureCount() == features) {
      state.warmStart(latest.get());
      log.info("model {}: no checkpoint; continuing from version {} ({} examples seen), optimizer state afresh",
          model, latest.get().version(), state.examplesSeen);
    } else {
      latest.ifPresent(v -> {
        state.lastVersion = v.version();
        log.warn("model {}: version {} has network '{}' on {} features; the configured '{}' starts afresh",
            model, v.version(), v.architecture(), v.signature().featureCount(), state.spec.text());
      });
    }
    batch = new Batch(config.getInt(TrainerConfig.BATCH_SIZE), features, state.spec.outputs());
    prequential = new Prequential(state.signature.task(), config.getInt(TrainerConfig.PREQUENTIAL_WINDOW),
        config.getDouble(TrainerConfig.FADING_FACTOR));
    drift = new DriftMonitor(config.getString(TrainerConfig.DRIFT_DETECTOR),
        config.getDouble(TrainerConfig.DRIFT_DELTA), config.getDouble(TrainerConfig.DRIFT_THRESHOLD));
    holdout = new HoldOut(config.getDouble(TrainerConfig.HOLDOUT_FRACTION), config.getInt(TrainerConfig.HOLDOUT_SIZE),
        features, state.spec.outputs(), state.signature.task());
    gate = new ValidationGate(state.signature.task(), config.getDouble(TrainerConfig.GATE_MARGIN),
        config.getInt(TrainerConfig.HOLDOUT_MIN_EXAMPLES));
    int outputs = state.signature.outputCount();
    rowDecoder = new LabeledRowDecoder(features, state.signature.task() == Signature.Task.CLASSIFICATION
        ? (outputs == 1 ? 2 : outputs) : 0);
    scratch = new float[features];
    if (delayedLabels) {
      join = new LabelJoin(config.getLong(TrainerConfig.LABEL_WINDOW_MS), config.getInt(TrainerConfig.LABEL_MAX_PENDING),
          partitionCount(featuresTopic), partitionCount(labelsTopic));
      checkpoint.map(Checkpoint::join).ifPresent(join::restore);
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    Set<Long> bad = poisoned.get(tp);
    if (bad != null && bad.contains(r.offset())) {
      advance(tp, r);
      deadLetter(r, "in a batch whose loss was not finite; the model was rolled back to its last checkpoint");
      return;
    }
    if (r.topic().equals(labeledTopic)) {
      handleLabeled(tp, r);
    } else if (r.topic().equals(featuresTopic)) {
      handleFeatures(tp, r);
    } else {
      handleLabel(tp, r);
    }
  }

  private void advance(TopicPartition tp, ConsumerRecord<String, byte[]> r) {
    nextOffset.put(tp, r.offset() + 1);
    counters.consumed++;
    dirty = true;
  }

  private void handleLabeled(TopicPartition tp, ConsumerRecord<String, byte[]> r) {
    if (rowDecoder != null && rowDecoder.parse(r.value()) && fastPath(tp, r)) {
      return;
    }
    InputEvent event;
    try {
      event = labeledDecoder.decode(r.topic(), r.value());
    } catch (SerializationException e) {
      advance(tp, r);
      deadLetter(r, e.getMessage());
      return;
    }
    ensureInitialized(event.features().length);
    advance(tp, r);
    String problem = InputChecks.featureProblem(event, state.spec.inputs());
    if (problem == null) {
      problem = event.labeled() ? InputChecks.labelProblem(event, state.signature.task(), state.signature.outputCount())
          : "a FeatureEvent has no label to train on";
    }
    if (problem != null) {
      deadLetter(r, problem);
      return;
    }
    offer(event, tp, r.offset());
  }

  private void handleFeatures(TopicPartition tp, ConsumerRecord<String, byte[]> r) {
    InputEvent event;
    try {
      event = featureDecoder.decode(r.topic(), r.value());
    } catch (SerializationException e) {
      // The inference service owns this topic's dead letters; the trainer only counts it.
      advance(tp, r);
      counters.skippedFeatureRecords++;
      return;
    }
    ensureInitialized(event.features().length);
    advance(tp, r);
    if (InputChecks.featureProblem(event, state.spec.inputs()) != null) {
      counters.skippedFeatureRecords++;
      return;
    }
    InputEvent joined = join.offerFeatures(event, r.partition());
    if (joined != null) {
      offer(joined, tp, r.offset());
    }
  }

  private void handleLabel(TopicPartition tp, ConsumerRecord<String, byte[]> r) {
    advance(tp, r);
    LabelEvent label;
    InputEvent.Label value;
    try {
      label = labelSerde.deserialize(r.topic(), r.value());
      value = InputEvent.Label.of(label.getLabel());
    } catch (SerializationException | IllegalArgumentException e) {
      deadLetter(r, e.getMessage());
      return;
    }
    if (state != null) {
      String problem = InputChecks.labelProblem(new InputEvent(label.getId(), 0, new float[0], value),
          state.signature.task(), state.signature.outputCount());
      if (problem != null) {
        deadLetter(r, problem);
        return;
      }
    }
    if (join == null) {
      return; // no features seen yet, so nothing is configured to join with
    }
    InputEvent joined = join.offerLabel(label.getId(), label.getEventTime().toEpochMilli(), value, r.partition());
    if (joined != null) {
      offer(joined, tp, r.offset());
    }
  }

  /** The hot path: features straight from the bytes into the batch row (or the hold-out). */
  private boolean fastPath(TopicPartition tp, ConsumerRecord<String, byte[]> r) {
    if (rowDecoder.heldOut(holdout.fraction())) {
      if (!rowDecoder.copyFeatures(scratch, 0)) {
        return false;
      }
      advance(tp, r);
      holdout.add(scratch, rowDecoder.label());
      counters.heldOut++;
      return true;
    }
    if (!rowDecoder.copyFeatures(batch.x, batch.rows * batch.features)) {
      return false; // the row is not committed; the general path names the bad feature
    }
    advance(tp, r);
    batch.commitRow(rowDecoder.label(), tp, r.offset());
    afterRow();
    return true;
  }

  /** Sets the trainer up from the first event when the feature count was not known in advance. */
  private void ensureInitialized(int features) {
    if (state == null) {
      init(features, Optional.empty(), Optional.empty());
      commit(false, true); // a consistent first checkpoint to roll back to
    }
  }

  private void offer(InputEvent event, TopicPartition tp, long offset) {
    if (holdout.isHeldOut(event.id())) {
      holdout.add(event.features(), event.label().asFloat());
      counters.heldOut++;
      return;
    }
    batch.add(event.features(), event.label().asFloat(), tp, offset);
    afterRow();
  }

  private void afterRow() {
    if (batch.isFull()) {
      trainBatch();
      if (checkpointDue()) {
        commit(publishDue(), true);
      }
    }
  }

  private void trainBatch() {
    int rows = batch.rows;
    TrainingState.Outcome outcome = state.train(batch, prequential, drift);
    if (!Float.isFinite(outcome.loss())) {
      rollBack("loss " + outcome.loss() + " on a batch of " + rows);
      return;
    }
    batch.clear();
    batchesSinceCheckpoint++;
    batchesSincePublish++;
    if (batchesSinceDrift >= 0) {
      batchesSinceDrift++;
    }
    if (outcome.drift()) {
      onDrift(outcome.driftAt());
    }
    updateStatus();
  }

  private void onDrift(long detectedAt) {
    counters.drifts++;
    String action = config.getString(TrainerConfig.DRIFT_ACTION);
    double before = state.learner.learningRate();
    if (action.equals("raise_lr")) {
      state.rate.boost(state.learner, config.getDouble(TrainerConfig.DRIFT_LR_FACTOR),
          config.getInt(TrainerConfig.DRIFT_BOOST_BATCHES));
    } else if (action.equals("reset_optimizer")) {
      state.resetOptimizer();
    }
    state.rate.resetPlateau();
    holdout.clear(); // it measures the old concept now
    batchesSinceDrift = 0;
    Map<String, Double> metrics = new LinkedHashMap<>(prequential.metrics());
    metrics.put("drifts", (double) counters.drifts);
    String message = String.format("drift detected at example %d; action %s, learning rate %.3g -> %.3g",
        detectedAt, action, before, state.learner.learningRate());
    // examplesSeen is the exact example at which the detector fired (the batch around it is trained).
    events.send(producer, TrainingEventType.DRIFT, state.lastVersion, detectedAt,
        state.learner.learningRate(), metrics, message);
    log.info("model {}: {}", model, message);
  }

  /**
   * Discards everything since the last checkpoint: aborts the open transaction, restores the state
   * and rewinds the consumer; the records of the current batch are dead-lettered on replay.
   */
  private void rollBack(String reason) {
    counters.discardedBatches++;
    for (int i = 0; i < batch.rows; i++) {
      poisoned.computeIfAbsent(batch.sources[i], k -> new HashSet<>()).add(batch.offsets[i]);
    }
    batch.clear();
    producer.abortTransaction();
    producer.beginTransaction();
    state.restore(lastGood);
    if (join != null) {
      join.restore(lastGood.join());
    }
    for (Checkpoint.PartitionProgress pp : lastGood.partitions()) {
      TopicPartition tp = new TopicPartition(pp.topic(), pp.partition());
      consumer.seek(tp, pp.nextOffset());
      rangeStart.put(tp, pp.rangeStart());
      nextOffset.put(tp, pp.nextOffset());
    }
    epoch++;
    batchesSinceCheckpoint = 0;
    String message = "non-finite " + reason + ": batch discarded, weights rolled back to the checkpoint at "
        + lastGood.examplesSeen() + " examples; its records go to the dead-letter topic";
    events.send(producer, TrainingEventType.ALERT, state.lastVersion, state.examplesSeen,
        state.learner.learningRate(), Map.of("discardedBatches", (double) counters.discardedBatches), message);
    log.warn("model {}: {}", model, message);
    updateStatus();
  }

  private boolean checkpointDue() {
    if (state == null) {
      return false;
    }
    if (publishDue()) {
      return true;
    }
    return dirty && (batchesSinceCheckpoint >= config.getInt(TrainerConfig.CHECKPOINT_EVERY_BATCHES)
        || System.nanoTime() - lastCheckpointNanos >= config.getLong(TrainerConfig.CHECKPOINT_EVERY_MS) * 1_000_000);
  }

  private boolean publishDue() {
    if (batchesSincePublish == 0 && (batch == null || batch.rows == 0)) {
      return false;
    }
    return batchesSincePublish >= config.getInt(TrainerConfig.PUBLISH_EVERY_BATCHES)
        || System.nanoTime() - lastPublishNanos >= config.getLong(TrainerConfig.PUBLISH_EVERY_MS) * 1_000_000
        || batchesSinceDrift >= config.getInt(TrainerConfig.DRIFT_PUBLISH_AFTER_BATCHES);
  }

  /**
   * One transaction: the last short batch, maybe a version, a PROGRESS record, the checkpoint and
   * the consumed offsets, committed together.
   */
  private void commit(boolean publish, boolean beginNext) {
    if (state == null) {
      return;
    }
    if (batch.rows > 0) {
      long at = epoch;
      trainBatch(); // a short batch: every consumed example is in the state this checkpoint holds
      if (epoch != at) {
        return; // rolled back; the replay checkpoints later
      }
    }
    if (publish && state.examplesSinceParent > 0) {
      if (!state.weightsFinite()) {
        rollBack("weights");
        return;
      }
      if (publisher.offer(producer, state, holdout, prequential, lineageRanges(), gate)) {
        rangeStart.putAll(nextOffset);
      }
      lastPublishNanos = System.nanoTime();
      batchesSincePublish = 0;
      batchesSinceDrift = -1;
    }
    Checkpoint checkpoint = snapshot();
    events.send(producer, TrainingEventType.PROGRESS, state.lastVersion, state.examplesSeen,
        state.learner.learningRate(), progressMetrics(), "");
    producer.send(new ProducerRecord<>(config.getString(TrainerConfig.CHECKPOINT_TOPIC), model,
        CheckpointCodec.encode(checkpoint)));
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    nextOffset.forEach((tp, next) -> offsets.put(tp, new OffsetAndMetadata(next)));
    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    producer.commitTransaction();
    lastGood = checkpoint;
    poisoned.entrySet().removeIf(e -> {
      e.getValue().removeIf(offset -> offset < nextOffset.getOrDefault(e.getKey(), 0L));
      return e.getValue().isEmpty();
    });
    dirty = false;
    batchesSinceCheckpoint = 0;
    lastCheckpointNanos = System.nanoTime();
    if (beginNext) {
      producer.beginTransaction();
    }
    updateStatus();
  }

  private Checkpoint snapshot() {
    List<Checkpoint.PartitionProgress> progress = new ArrayList<>();
    nextOffset.forEach((tp, next) -> progress.add(
        new Checkpoint.PartitionProgress(tp.topic(), tp.partition(), rangeStart.getOrDefault(tp, next), next)));
    return state.checkpoint(model, progress, join == null ? null : join.state());
  }

  private List<OffsetRange> lineageRanges() {
    List<OffsetRange> ranges = new ArrayList<>();
    nextOffset.forEach((tp, next) -> {
      long from = rangeStart.getOrDefault(tp, next);
      if (next > from) {
        ranges.add(new OffsetRange(tp.topic(), tp.partition(), from, next));
      }
    });
    ranges.sort(Comparator.comparing(OffsetRange::topic).thenComparing(OffsetRange::partition));
    return ranges;
  }

  private Map<String, Double> progressMetrics() {
    Map<String, Double> m = new LinkedHashMap<>(prequential.metrics());
    m.put("eventsConsumed", (double) counters.consumed);
    m.put("heldOut", (double) counters.heldOut);
    m.put("deadLetters", (double) counters.deadLetters);
    m.put("discardedBatches", (double) counters.discardedBatches);
    m.put("drifts", (double) counters.drifts);
    m.put("versionsRejected", (double) publisher.rejected);
    if (join != null) {
      m.put("labelsPending", (double) join.pending());
      m.put("labelsDroppedUnmatched", (double) join.dropped());
    }
    return m;
  }

  private void deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
    counters.deadLetters++;
    log.debug("dead letter {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
    producer.send(new ProducerRecord<>(config.getString(CommonKeys.DEAD_LETTER_TOPIC), null, r.key(),
        r.value(), DeadLetters.headers(APP, reason, r.topic(), r.partition(), r.offset())));
    updateStatus();
  }

  private void updateStatus() {
    status = new TrainerStatus(publisher.published, state == null ? 0 : state.lastVersion,
        state == null ? 0 : state.examplesSeen, counters.deadLetters, counters.discardedBatches,
        prequential == null ? Double.NaN : prequential.windowedAccuracy(),
        prequential == null ? Double.NaN : prequential.windowedLoss(),
        counters.consumed, counters.heldOut, publisher.rejected, counters.drifts,
        state == null ? Double.NaN : state.learner.learningRate(), join == null ? 0 : join.dropped());
  }

  private Map<String, Object> consumerProps(String groupId) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    return p;
  }

  private Map<String, Object> producerProps(String transactionalId) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaSupport.MAX_MODEL_BYTES);
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    return p;
  }

  static String codeVersion() {
    String v = Trainer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
