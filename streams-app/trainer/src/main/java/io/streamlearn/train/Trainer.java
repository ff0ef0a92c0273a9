package io.streamlearn.train;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.TrainingEventType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous trainer of one model.
 *
 * <p>It owns every partition of its input topics. A {@link Poller} thread reads them and decodes
 * well-formed events straight into mini-batches while this thread trains on the previous ones. Each
 * mini-batch is first scored by the current weights (test-then-train, giving the prequential
 * metrics and the drift detector's input) and then trained on; a deterministic share of events (by
 * a hash of the id) is held out instead. At every checkpoint it commits one Kafka transaction holding
 * the consumed offsets, a {@link Checkpoint} of its whole state on the compacted checkpoint topic, a
 * PROGRESS record and, when a version is due and the validation gate passes, the new version and its
 * alias move. A trainer killed at any moment resumes from its last checkpoint: nothing is trained
 * twice or skipped, and the lineage ranges of the published versions cover each consumed offset
 * exactly once.
 *
 * <p>A batch with a non-finite loss is discarded, the open transaction aborted, the state rolled
 * back to the last checkpoint and the input replayed from there with the poisoned batch's records
 * sent to the dead-letter topic; an ALERT record says so. Invalid records go to the dead-letter
 * topic as well.
 */
public final class Trainer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Trainer.class);
  private static final String APP = "trainer";
  private static final Duration TAKE_TIMEOUT = Duration.ofMillis(100);
  /** Records for the general path per chunk at most. */
  private static final int CHUNK_RECORDS = 1000;

  private final TrainerConfig config;
  private final String model;
  private final Map<String, Object> clientProps;
  private final String labeledTopic;
  private final String featuresTopic;
  private final String labelsTopic;
  private final boolean delayedLabels;
  private final TrainingEvents events;
  private final VersionPublisher publisher;
  private final RecordRouter router;
  private final OffsetLedger ledger = new OffsetLedger();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile TrainerStatus status = TrainerStatus.initial();

  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> consumer;
  private Transactions tx;
  private Poller poller;
  private TrainingState state;
  /** The general path's batch; the fast path's batches come in chunks. */
  private Batch batch;
  private Prequential prequential;
  private DriftMonitor drift;
  private HoldOut holdout;
  private ValidationGate gate;
  private LabelJoin join;
  private long epoch;
  private boolean dirty;
  private long batchesSinceCheckpoint;
  private long batchesSincePublish;
  private long batchesSinceDrift = -1;
  private long lastCheckpointNanos = System.nanoTime();
  private long lastPublishNanos = System.nanoTime();
  private final TrainerCounters counters = new TrainerCounters();

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
    this.router = new RecordRouter(labeledTopic, featuresTopic, new RecordRouter.Sink() {
      @Override
      public TrainingState initialized(int features) {
        ensureInitialized(features);
        return state;
      }

      @Override
      public TrainingState stateOrNull() {
        return state;
      }

      @Override
      public LabelJoin join() {
        return join;
      }

      @Override
      public void consumed(ConsumerRecord<String, byte[]> r) {
        Trainer.this.consumed(r);
      }

      @Override
      public void deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
        Trainer.this.deadLetter(r, reason);
      }

      @Override
      public void skipped() {
        counters.skippedFeatureRecords++;
      }

      @Override
      public void example(InputEvent event, ConsumerRecord<String, byte[]> r) {
        offer(event, new TopicPartition(r.topic(), r.partition()), r.offset());
      }
    });
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("trainer of model {} interrupted; its uncommitted work is discarded", model);
    } catch (RuntimeException e) {
      if (fenced(e)) {
        log.error("another trainer of model {} has started with the same transactional id and fenced this one; "
            + "this one stops, its uncommitted work discarded ({})", model, e.toString());
      } else {
        log.error("trainer of model {} fails; its uncommitted work is discarded", model, e);
      }
      throw e;
    } finally {
      stopped.countDown();
    }
  }

  /** Whether the error, or one it wraps, says a newer producer with this transactional id took over. */
  public static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }

  private void runLoop() throws InterruptedException {
    TrainerStart.ensureTopics(config, clientProps);
    String txId = "streamlearn-trainer-" + model;
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Poller.consumerProperties(clientProps, txId),
             new StringDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<String, byte[]> p = new KafkaProducer<>(TrainerStart.producerProperties(clientProps, txId),
             new StringSerializer(), new ByteArraySerializer())) {
      consumer = c;
      producer = p;
      // First: fences a killed predecessor and aborts its open transaction, so the registry and
      // checkpoint topics can be read to their committed end.
      producer.initTransactions();
      tx = new Transactions(producer, consumer.groupMetadata(), model);
      start();
      poller = new Poller(consumer, labeledTopic, "streamlearn-poller-" + model,
          Duration.ofMillis(config.getLong(TrainerConfig.CHECKPOINT_EVERY_MS)), CHUNK_RECORDS);
      configurePoller();
      poller.start();
      try {
        try {
          while (running) {
            Chunk chunk = poller.next(TAKE_TIMEOUT);
            if (chunk != null) {
              try {
                take(chunk);
              } finally {
                poller.recycle(chunk);
              }
            }
            if (checkpointDue()) {
              commit(publishDue(), true);
            }
          }
        } finally {
          poller.close(); // the consumer is this thread's again
        }
        for (Chunk chunk : poller.drain()) {
          take(chunk);
        }
        commit(true, false);
      } finally {
        tx.close();
      }
    }
    log.info("trainer of model {} stopped at version {}", model, state == null ? 0 : state.lastVersion);
  }

  /** Reads registry and checkpoint, assigns the input partitions and positions the consumer. */
  private void start() {
    TrainerStart.Found found = TrainerStart.read(config, clientProps);
    ledger.restore(TrainerStart.assign(config, consumer, found.checkpoint()));
    int features = config.getInt(TrainerConfig.FEATURES);
    if (features == 0) {
      features = found.checkpoint().map(Checkpoint::features)
          .orElse(found.latest().map(v -> v.signature().featureCount()).orElse(0));
    }
    if (features > 0) {
      init(features, found.checkpoint(), found.latest());
      tx.startFrom(snapshot());
    }
    publisher.live(state == null ? null : TrainerStart.liveModel(found.registry(), model,
        config.getString(TrainerConfig.ALIAS), state.spec), found.registry().latestVersionNumber(model));
    log.info("trainer of model {} starts after version {} ({}) at positions {}", model,
        state == null ? 0 : state.lastVersion, found.checkpoint().isPresent() ? "from its checkpoint" : "no checkpoint",
        ledger);
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
    if (delayedLabels) {
      join = new LabelJoin(config.getLong(TrainerConfig.LABEL_WINDOW_MS), config.getInt(TrainerConfig.LABEL_MAX_PENDING),
          ledger.partitionCount(featuresTopic), ledger.partitionCount(labelsTopic));
      checkpoint.map(Checkpoint::join).ifPresent(join::restore);
    }
    configurePoller();
  }

  /** Turns on the poller's fast path once the network is known. */
  private void configurePoller() {
    if (poller == null || state == null) {
      return;
    }
    int outputs = state.signature.outputCount();
    int classes = state.signature.task() == Signature.Task.CLASSIFICATION ? (outputs == 1 ? 2 : outputs) : 0;
    poller.configure(new Poller.Layout(state.spec.inputs(), state.spec.outputs(), classes,
        config.getInt(TrainerConfig.BATCH_SIZE), holdout.fraction()));
  }

  /**
   * Takes a chunk whole: its general-path records, its held-out rows, then its batch. A chunk read
   * before the last rollback is dropped: the poller reads its records again.
   */
  private void take(Chunk chunk) {
    if (chunk.epoch != epoch) {
      return;
    }
    long at = epoch;
    for (ConsumerRecord<String, byte[]> r : chunk.raw) {
      handle(r);
      if (epoch != at) {
        return; // rolled back: the rest is replayed from the checkpoint
      }
    }
    if (chunk.train != null) {
      for (int i = 0; i < chunk.held; i++) {
        holdout.add(chunk.heldX, i * chunk.train.features, chunk.heldY[i]);
      }
      counters.heldOut += chunk.held;
      if (chunk.train.rows > 0) {
        trainBatch(chunk.train);
        if (epoch != at) {
          return;
        }
      }
    }
    counters.consumed += chunk.fast;
    ledger.advanceAll(chunk.next);
    dirty |= chunk.records > 0;
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
    if (ledger.isPoisoned(new TopicPartition(r.topic(), r.partition()), r.offset())) {
      consumed(r);
      deadLetter(r, "in a batch whose loss was not finite; the model was rolled back to its last checkpoint");
      return;
    }
    router.route(r);
  }

  private void consumed(ConsumerRecord<String, byte[]> r) {
    ledger.advance(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
    counters.consumed++;
    dirty = true;
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
      holdout.add(event.features(), 0, event.label().asFloat());
      counters.heldOut++;
      return;
    }
    batch.add(event.features(), event.label().asFloat(), tp, offset);
    if (batch.isFull()) {
      trainBatch(batch);
    }
  }

  private void trainBatch(Batch b) {
    int rows = b.rows;
    TrainingState.Outcome outcome = state.train(b, prequential, drift);
    if (!Float.isFinite(outcome.loss())) {
      rollBack(b, "loss " + outcome.loss() + " on a batch of " + rows);
      return;
    }
    b.clear();
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
    tx.await();
    events.send(producer, TrainingEventType.DRIFT, state.lastVersion, detectedAt,
        state.learner.learningRate(), metrics, message);
    log.info("model {}: {}", model, message);
  }

  /**
   * Discards everything since the last checkpoint: aborts the open transaction, restores the state
   * and rewinds the poller; the records of the {@code failed} batch are dead-lettered on replay.
   */
  private void rollBack(Batch failed, String reason) {
    counters.discardedBatches++;
    if (failed != null) {
      ledger.poison(failed);
      failed.clear();
    }
    batch.clear();
    tx.abort();
    Checkpoint lastGood = tx.lastGood();
    state.restore(lastGood);
    if (join != null) {
      join.restore(lastGood.join());
    }
    epoch++;
    poller.rewind(epoch, ledger.restore(lastGood.partitions()), ledger.poisoned());
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
    if (batchesSinceDrift >= config.getInt(TrainerConfig.DRIFT_PUBLISH_AFTER_BATCHES)) {
      return true; // the new concept's first version is not held back by the minimum interval
    }
    if (System.nanoTime() - lastPublishNanos < config.getLong(TrainerConfig.PUBLISH_MIN_INTERVAL_MS) * 1_000_000) {
      return false;
    }
    return batchesSincePublish >= config.getInt(TrainerConfig.PUBLISH_EVERY_BATCHES)
        || System.nanoTime() - lastPublishNanos >= config.getLong(TrainerConfig.PUBLISH_EVERY_MS) * 1_000_000;
  }

  /**
   * One transaction: the last short batch, maybe a version, a PROGRESS record, the checkpoint and
   * the consumed offsets, committed together. Unless it is the last ({@code beginNext} false), the
   * commit itself runs on the committer thread while this one trains on; the producer is not used
   * here again before {@link Transactions#await()}.
   */
  private void commit(boolean publish, boolean beginNext) {
    if (state == null) {
      return;
    }
    if (batch.rows > 0) {
      long at = epoch;
      trainBatch(batch); // a short batch: every consumed example is in the state this checkpoint holds
      if (epoch != at) {
        return; // rolled back; the replay checkpoints later
      }
    }
    tx.await();
    if (publish && state.examplesSinceParent > 0) {
      if (!state.weightsFinite()) {
        rollBack(null, "weights");
        return;
      }
      if (publisher.offer(producer, state, holdout, prequential, ledger.lineage(), gate)) {
        ledger.versionPublished();
      }
      lastPublishNanos = System.nanoTime();
      batchesSincePublish = 0;
      batchesSinceDrift = -1;
    }
    Checkpoint checkpoint = snapshot();
    events.send(producer, TrainingEventType.PROGRESS, state.lastVersion, state.examplesSeen,
        state.learner.learningRate(), counters.progress(prequential, publisher, join), "");
    producer.send(new ProducerRecord<>(config.getString(TrainerConfig.CHECKPOINT_TOPIC), model,
        CheckpointCodec.encode(checkpoint)));
    Map<TopicPartition, OffsetAndMetadata> offsets = ledger.consumed();
    ledger.committed();
    dirty = false;
    batchesSinceCheckpoint = 0;
    lastCheckpointNanos = System.nanoTime();
    tx.commit(offsets, checkpoint, publisher.takeAnnouncement(), beginNext);
    updateStatus();
  }

  private Checkpoint snapshot() {
    return state.checkpoint(model, ledger.progress(), join == null ? null : join.state());
  }

  private void deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
    tx.await();
    counters.deadLetters++;
    log.debug("dead letter {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
    producer.send(new ProducerRecord<>(config.getString(CommonKeys.DEAD_LETTER_TOPIC), null, r.key(),
        r.value(), DeadLetters.headers(APP, reason, r.topic(), r.partition(), r.offset())));
    updateStatus();
  }

  private void updateStatus() {
    status = counters.status(publisher, state, prequential, join);
  }

  static String codeVersion() {
    String v = Trainer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
