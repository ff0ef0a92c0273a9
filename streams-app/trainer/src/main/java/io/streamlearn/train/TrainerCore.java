package io.streamlearn.train;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamlearn.app.DeadLetters;
import io.streamlearn.features.BadRecordException;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.Label;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.TrainingEventType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's rules, on Kafka clients it is given and driven by its caller's thread: it takes
 * {@link Chunk}s of input, trains, holds out, dead-letters, reacts to drift, rolls back a batch
 * with a non-finite loss, and checkpoints and publishes on its {@link TrainingSchedule}, each
 * checkpoint one transaction of its producer. {@link Trainer} runs it with a poller thread and a
 * committer thread on real clients; {@link #inline} runs it with neither, which is how
 * {@code TrainerTestDriver} gives the rules fast, deterministic tests on Kafka's mock clients.
 * It records its {@link TrainerMeters} and keeps its {@link TrainerHealth} as it goes. Not
 * thread-safe, except {@link #status()} and {@link #readiness()}.
 */
public final class TrainerCore {
  private static final Logger log = LoggerFactory.getLogger(TrainerCore.class);
  private static final String APP = "trainer";
  /** Records for the general path per chunk at most. */
  static final int CHUNK_RECORDS = 1000;

  private final TrainerSettings settings;
  private final String model;
  private final Producer<String, byte[]> producer;
  private final Transactions tx;
  private final TrainingEvents events;
  private final VersionPublisher publisher;
  private final RecordRouter router;
  // --initial-model, kept for a network built only when the first event gives its feature count
  private Optional<ModelVersion> initial = Optional.empty();
  private final TrainingSchedule schedule;
  /** Over the users' own records: their decoder and ids; null over events. */
  private final RawTraining raw;
  private final OffsetLedger ledger = new OffsetLedger();
  private final TrainerCounters counters = new TrainerCounters();
  private final TrainerClock clock;
  private final TrainerHealth health;
  private final TrainerMeters meters;
  private volatile TrainerStatus status = TrainerStatus.initial();
  private Poller poller;
  private TrainerRules rules;
  private long epoch;
  private boolean dirty;

  TrainerCore(TrainerSettings settings, TrainerClock clock, Producer<String, byte[]> producer, Transactions tx,
              MeterRegistry registry) {
    this.settings = settings;
    this.clock = clock;
    this.model = settings.model();
    this.producer = producer;
    this.tx = tx;
    this.events = new TrainingEvents(settings.topics().metrics(), model, clock);
    this.publisher = new VersionPublisher(settings, clock, events);
    this.router = new RecordRouter(settings.topics().labeled(), settings.topics().features());
    this.schedule = new TrainingSchedule(settings.schedule(), clock);
    this.raw = settings.input().raw() ? new RawTraining(settings.input(), settings.clientProperties()) : null;
    this.health = new TrainerHealth(clock, settings.schedule().checkpointMaxAgeMs());
    this.meters = new TrainerMeters(registry, model, this::status, health);
    tx.onCommitted(() -> {
      health.committed();
      meters.checkpointCommitted();
    });
  }

  /**
   * A core that polls and commits on the caller's thread: {@link #step()} trains on everything
   * the consumer has, {@link #finish()} publishes what is left and commits the last transaction.
   * Calls {@code initTransactions} on the producer; the consumer is assigned every input partition.
   *
   * @param registry the registry as the trainer finds it at start
   * @param checkpoint the newest checkpoint record's value, if any
   */
  public static TrainerCore inline(TrainerSettings settings, TrainerClock clock, Consumer<String, byte[]> consumer,
                                   Producer<String, byte[]> producer, RegistryState registry,
                                   Optional<byte[]> checkpoint) {
    return inline(settings, clock, consumer, producer, registry, checkpoint, new SimpleMeterRegistry());
  }

  /**
   * As {@link #inline(TrainerSettings, TrainerClock, Consumer, Producer, RegistryState, Optional)},
   * recording its meters in {@code meters}.
   */
  public static TrainerCore inline(TrainerSettings settings, TrainerClock clock, Consumer<String, byte[]> consumer,
                                   Producer<String, byte[]> producer, RegistryState registry,
                                   Optional<byte[]> checkpoint, MeterRegistry meters) {
    producer.initTransactions();
    TrainerCore core = new TrainerCore(settings, clock, producer,
        Transactions.inline(producer, consumer.groupMetadata()), meters);
    core.start(consumer, new TrainerStart.Found(registry, checkpoint.map(CheckpointCodec::decode),
        registry.latest(settings.model()), TrainerStart.initialModel(settings, registry)));
    core.attach(Poller.inline(consumer, settings.topics().labeled(), CHUNK_RECORDS));
    return core;
  }

  /**
   * Inline only: polls until the consumer has nothing more (a rollback's replay included), taking
   * every chunk and checkpointing or publishing after each one when the schedule says so.
   */
  public void step() {
    try {
      while (true) {
        int read = poller.pollNow();
        for (Chunk chunk = poller.nextReady(); chunk != null; chunk = poller.nextReady()) {
          try {
            take(chunk);
          } finally {
            poller.recycle(chunk);
          }
          checkpointIfDue();
        }
        if (read == 0) {
          long at = epoch;
          checkpointIfDue();
          if (epoch == at) {
            return; // nothing more to read, and no rollback whose replay is still to come
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // an inline poller never waits; keep the flag for the caller
      throw new InterruptException(e);
    }
  }

  /** Inline only: trains on what is left, publishes a due version and commits the last transaction. */
  public void finish() {
    step();
    finish(List.of());
  }

  /** The latest status; safe from any thread. */
  public TrainerStatus status() {
    return status;
  }

  /**
   * Empty when the trainer is ready, else what is missing: its partitions are not assigned yet, or
   * records wait and its last checkpoint is older than {@code health.checkpoint.max.age.ms}. Safe
   * from any thread; reads no Kafka client.
   */
  public Optional<String> readiness() {
    return health.readiness();
  }

  /** Removes this trainer's meters from the registry it recorded them in. */
  public void closeMeters() {
    meters.close();
  }

  /** Reads where to start from, assigns and positions the consumer and, when the network is known, sets up. */
  void start(Consumer<String, byte[]> consumer, TrainerStart.Found found) {
    initial = found.initial();
    ledger.restore(TrainerStart.assign(settings, consumer, found.checkpoint()));
    health.assigned();
    int features = settings.network().features();
    if (raw != null) {
      features = -1; // the pipeline's layout gives the width: known before any record
    } else if (features == 0) {
      features = found.checkpoint().map(Checkpoint::features)
          .orElse(found.latest().or(found::initial).map(v -> v.signature().featureCount()).orElse(0));
    }
    if (features != 0) {
      init(features, found.checkpoint(), found.latest(), found.initial());
      tx.startFrom(snapshot());
    }
    publisher.live(rules == null ? null : TrainerStart.liveModel(found.registry(), model, settings.alias(),
        rules.state), found.registry().latestVersionNumber(model));
    log.info("trainer of model {} starts after version {} ({}) at positions {}", model, lastVersion(),
        found.checkpoint().isPresent() ? "from its checkpoint" : "no checkpoint", ledger);
  }

  /** Gives the core the poller it rewinds after a rollback, and turns on its fast path when the network is known. */
  void attach(Poller poller) {
    this.poller = poller;
    health.attach(poller);
    poller.boundLag(settings.rules().maxLag());
    meters.partitions(poller);
    if (raw != null) {
      poller.decodeRaw(raw::decodeOrRefusal);
    }
    configurePoller();
  }

  long lastVersion() {
    return rules == null ? 0 : rules.state.lastVersion;
  }

  private void init(int features, Optional<Checkpoint> checkpoint, Optional<ModelVersion> latest,
                    Optional<ModelVersion> initial) {
    TrainingState state = new TrainingState(settings.network(), settings.rules(), features, settings.input());
    if (checkpoint.isPresent()) {
      state.restore(checkpoint.get());
    } else if (latest.isPresent() && latest.get().architecture().equals(state.spec.text())
        && latest.get().signature().featureCount() == state.spec.inputs() && state.readsLike(latest.get())) {
      state.warmStart(latest.get());
      log.info("model {}: no checkpoint; continuing from version {} ({} examples seen), optimizer state afresh",
          model, latest.get().version(), state.examplesSeen);
      initial.ifPresent(v -> log.info("model {}: --initial-model {} is not used, the model has versions of its own",
          model, v.key()));
    } else {
      latest.ifPresent(v -> {
        state.lastVersion = v.version();
        log.warn("model {}: version {} has network '{}' on {} features{}; the configured '{}' starts afresh",
            model, v.version(), v.architecture(), v.signature().featureCount(),
            v.hasFeaturePipeline() ? " through a feature pipeline" : "", state.spec.text());
      });
      initial.ifPresent(v -> startFromInitial(state, v, state.spec.inputs()));
    }
    rules = new TrainerRules(settings, state, ledger);
    checkpoint.map(Checkpoint::join).ifPresent(j -> {
      if (rules.join != null) {
        rules.join.restore(j);
      }
    });
    configurePoller();
  }

  /** A warm start from {@code --initial-model}, when its network is the configured one. */
  private void startFromInitial(TrainingState state, ModelVersion v, int features) {
    String source = v.lineage().hyperparameters().getOrDefault("importedFrom", v.key());
    String architecture;
    try {
      architecture = NetworkSpec.parse(v.signature().featureCount(), v.architecture()).text();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--initial-model " + source + " has network '" + v.architecture()
          + "', which this engine cannot train: " + e.getMessage(), e);
    }
    if (!architecture.equals(state.spec.text()) || v.signature().featureCount() != features) {
      throw new IllegalArgumentException("--initial-model " + source + " has network '" + architecture + "' on "
          + v.signature().featureCount() + " features; the trainer is configured with '" + state.spec.text() + "' on "
          + features);
    }
    state.startFrom(v);
    if (v.preprocessing().isIdentity() && !settings.network().scaler().equals("none")) {
      log.warn("model {}: --initial-model {} has no scaler (an export folds it into the weights), but --scaler {}"
          + " scales the inputs afresh: its weights see inputs of another scale", model, source,
          settings.network().scaler());
    }
    log.info("model {}: starts from the weights of --initial-model {} ({}), optimizer state afresh", model, source,
        architecture);
  }

  private void configurePoller() {
    if (poller == null || rules == null || raw != null) {
      return; // raw records take the general path: the fast path decodes LabeledEvent bytes only
    }
    Signature signature = rules.state.signature;
    int outputs = signature.outputCount();
    int classes = signature.task() == Signature.Task.CLASSIFICATION ? (outputs == 1 ? 2 : outputs) : 0;
    poller.configure(new Poller.Layout(rules.state.spec.inputs(), rules.state.spec.outputs(), classes,
        settings.network().batchSize(), rules.holdout.fraction()));
  }

  /**
   * Takes a chunk whole: its general-path records, its held-out rows, then its batch. A chunk read
   * before the last rollback is dropped: the poller reads its records again.
   */
  void take(Chunk chunk) {
    if (chunk.epoch != epoch) {
      return;
    }
    long at = epoch;
    // A lineage range has one rate: a chunk whose rate differs starts new ranges where it starts.
    for (TopicPartition tp : chunk.next.keySet()) {
      ledger.sampleRate(tp, chunk.rate);
    }
    counters.sampleRate = chunk.rate;
    for (int i = 0; i < chunk.raw.size(); i++) {
      handle(chunk.raw.get(i), chunk.decoded.get(i));
      if (epoch != at) {
        return; // rolled back: the rest is replayed from the checkpoint
      }
    }
    if (chunk.train != null) {
      for (int i = 0; i < chunk.held; i++) {
        rules.holdout.add(chunk.heldX, i * chunk.train.features, chunk.heldY[i]);
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
    chunk.skipped.forEach((tp, n) -> {
      ledger.skipped(tp, n);
      counters.skippedBySampling += n;
    });
    ledger.advanceAll(chunk.next);
    dirty |= chunk.records > 0;
    health.taken(counters.consumed);
    updateStatus(); // once per chunk (about a batch): the held-out rows of a chunk without a batch count too
  }

  /** @param decoded what the poller decoded a raw record to (see {@link Chunk#decoded}), or null */
  private void handle(ConsumerRecord<String, byte[]> r, Object decoded) {
    if (ledger.isPoisoned(new TopicPartition(r.topic(), r.partition()), r.offset())) {
      consumed(r);
      deadLetter(r, "in a batch whose loss was not finite; the model was rolled back to its last checkpoint");
      return;
    }
    if (raw != null) {
      handleRaw(r, decoded);
      return;
    }
    RecordRouter.Routed routed = route(r);
    if (routed instanceof RecordRouter.Routed.NeedsNetwork needs) {
      init(needs.features(), Optional.empty(), Optional.empty(), initial);
      commit(false, true); // a consistent first checkpoint to roll back to, before this record counts
      routed = route(r);
    }
    consumed(r);
    if (routed instanceof RecordRouter.Routed.Example e) {
      offer(e.event(), new TopicPartition(r.topic(), r.partition()), r.offset());
    } else if (routed instanceof RecordRouter.Routed.DeadLetter d) {
      deadLetter(r, d.reason());
    } else if (routed instanceof RecordRouter.Routed.Skipped) {
      counters.skippedFeatureRecords++;
    } else if (routed instanceof RecordRouter.Routed.NeedsNetwork) {
      throw new IllegalStateException("the record asks for a network after one was set up");
    }
  }

  /**
   * One of the users' own records: decoded, its id chosen, then held out (featurized only, to check
   * it; its label read among the classes known) or learned by the pipeline and written into the
   * batch. A bad field or label is a dead letter naming the field; nothing is learned from it.
   */
  private void handleRaw(ConsumerRecord<String, byte[]> r, Object decoded) {
    consumed(r);
    TrainingState state = rules.state;
    try {
      if (decoded instanceof BadRecordException bad) {
        throw bad;
      }
      InputRecord record = decoded instanceof InputRecord pre ? pre : raw.decode(r.value());
      String id = raw.id(record, r);
      if (rules.holdout.isHeldOut(id)) {
        state.pipeline.featurize(record, raw.scratch(state.pipeline.layout()));
        Label label;
        try {
          label = state.pipeline.label(record);
        } catch (BadRecordException e) {
          if (e.field() != null && e.reason().startsWith("unknown label") && record.value(e.field()) != null
              && state.pipeline.classes().size() < state.pipeline.classCount()) {
            // A class no training record has taken yet: it cannot be scored, nor is the record bad.
            counters.skippedFeatureRecords++;
            return;
          }
          throw e;
        }
        rules.holdout.addRaw(record, (float) label.target());
        counters.heldOut++;
        return;
      }
      if (!LagSampling.keeps(id, counters.sampleRate)) {
        skippedBySampling(new TopicPartition(r.topic(), r.partition()));
        return;
      }
      Label label = state.pipeline.learnAndFeaturize(record, rules.batch.sparse);
      rules.batch.commitRow((float) label.target(), new TopicPartition(r.topic(), r.partition()), r.offset());
    } catch (BadRecordException e) {
      deadLetter(r, e);
      return;
    }
    if (rules.batch.isFull()) {
      trainBatch(rules.batch);
      // A chunk of raw records is up to CHUNK_RECORDS batches' worth of general-path records: the
      // schedule is asked after each batch, as the fast path's chunks of one batch are. The ledger
      // has advanced record by record, so this checkpoint covers exactly what was learned.
      checkpointIfDue();
    }
  }

  private RecordRouter.Routed route(ConsumerRecord<String, byte[]> r) {
    return rules == null ? router.route(r, null, null) : router.route(r, rules.state, rules.join);
  }

  private void consumed(ConsumerRecord<String, byte[]> r) {
    ledger.advance(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
    counters.consumed++;
    dirty = true;
  }

  private void offer(InputEvent event, TopicPartition tp, long offset) {
    if (rules.holdout.isHeldOut(event.id())) {
      rules.holdout.add(event.features(), 0, event.label().asFloat());
      counters.heldOut++;
      return;
    }
    if (!LagSampling.keeps(event.id(), counters.sampleRate)) {
      skippedBySampling(tp);
      return;
    }
    rules.batch.add(event.features(), event.label().asFloat(), tp, offset);
    if (rules.batch.isFull()) {
      trainBatch(rules.batch);
    }
  }

  /** An event consumed and left out by sampling: counted, and in its lineage range. */
  private void skippedBySampling(TopicPartition tp) {
    ledger.skipped(tp, 1);
    counters.skippedBySampling++;
  }

  private void trainBatch(Batch b) {
    int rows = b.rows;
    long started = clock.nanoTime();
    TrainingState.Outcome outcome = rules.state.train(b, rules.prequential, rules.drift);
    meters.batchTrained(Float.isFinite(outcome.loss()) ? rows : 0, clock.nanoTime() - started);
    if (!Float.isFinite(outcome.loss())) {
      rollBack(b, "loss " + outcome.loss() + " on a batch of " + rows);
      return;
    }
    b.clear();
    schedule.batchTrained();
    if (outcome.drift()) {
      counters.drifts++;
      tx.await();
      rules.onDrift(outcome.driftAt(), counters.drifts, events, producer);
      schedule.drifted();
    }
    updateStatus();
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
    rules.batch.clear();
    tx.abort();
    health.rolledBack(counters.consumed);
    Checkpoint lastGood = tx.lastGood();
    rules.restore(lastGood);
    epoch++;
    poller.rewind(epoch, ledger.restore(lastGood.partitions()), ledger.poisoned());
    schedule.rolledBack();
    TrainingState state = rules.state;
    String message = "non-finite " + reason + ": batch discarded, weights rolled back to the checkpoint at "
        + lastGood.examplesSeen() + " examples; its records go to the dead-letter topic";
    events.send(producer, TrainingEventType.ALERT, state.lastVersion, state.examplesSeen,
        state.learner.learningRate(), Map.of("discardedBatches", (double) counters.discardedBatches), message);
    log.warn("model {}: {}", model, message);
    updateStatus();
  }

  /** Checkpoints, and publishes when a version is due, if the schedule says a checkpoint is due. */
  void checkpointIfDue() {
    if (rules != null && schedule.checkpointDue(dirty, rules.batch.rows)) {
      commit(schedule.publishDue(rules.batch.rows), true);
    }
  }

  /** The trainer stops: trains on {@code rest}, publishes what it trained and commits in this thread. */
  void finish(List<Chunk> rest) {
    for (Chunk chunk : rest) {
      take(chunk);
    }
    commit(true, false);
    tx.close();
  }

  /**
   * One transaction: the last short batch, maybe a version, a PROGRESS record, the checkpoint and
   * the consumed offsets, committed together. Unless it is the last ({@code beginNext} false), the
   * commit itself may run on the committer thread while this one trains on; the producer is not
   * used here again before {@link Transactions#await()}.
   */
  private void commit(boolean publish, boolean beginNext) {
    if (rules == null) {
      return;
    }
    TrainingState state = rules.state;
    if (rules.batch.rows > 0) {
      long at = epoch;
      trainBatch(rules.batch); // a short batch: every consumed example is in the state this checkpoint holds
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
      if (publisher.offer(producer, state, rules.holdout, rules.prequential, ledger.lineage(), rules.gate)) {
        ledger.versionPublished();
      }
      schedule.published();
    }
    Checkpoint checkpoint = snapshot();
    events.send(producer, TrainingEventType.PROGRESS, state.lastVersion, state.examplesSeen,
        state.learner.learningRate(), counters.progress(rules.prequential, publisher, rules.join), "");
    producer.send(new ProducerRecord<>(settings.topics().checkpoint(), model, CheckpointCodec.encode(checkpoint)));
    Map<TopicPartition, OffsetAndMetadata> offsets = ledger.consumed();
    ledger.committed();
    dirty = false;
    schedule.checkpointed();
    health.committing(counters.consumed);
    tx.commit(offsets, checkpoint, publisher.takeAnnouncement(), beginNext);
    updateStatus();
  }

  private Checkpoint snapshot() {
    return rules.state.checkpoint(model, ledger.progress(), rules.join == null ? null : rules.join.state());
  }

  private void deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
    tx.await();
    counters.deadLetters++;
    log.debug("dead letter {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
    producer.send(new ProducerRecord<>(settings.topics().deadLetter(), null, r.key(), r.value(),
        DeadLetters.headers(APP, reason, r.topic(), r.partition(), r.offset())));
    updateStatus();
  }

  private void deadLetter(ConsumerRecord<String, byte[]> r, BadRecordException bad) {
    tx.await();
    counters.deadLetters++;
    log.debug("dead letter {}-{}@{}: {} {}", r.topic(), r.partition(), r.offset(), bad.field(), bad.reason());
    producer.send(new ProducerRecord<>(settings.topics().deadLetter(), null, r.key(), r.value(),
        DeadLetters.headers(APP, bad, r.topic(), r.partition(), r.offset())));
    updateStatus();
  }

  private void updateStatus() {
    status = rules == null ? counters.status(publisher, null, null, null)
        : counters.status(publisher, rules.state, rules.prequential, rules.join);
  }
}
