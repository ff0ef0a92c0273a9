package io.streamlearn.train;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamlearn.app.DeadLetters;
import io.streamlearn.app.LogContext;
import io.streamlearn.features.BadRecordException;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.Label;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.tensor.NamedTensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
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
  /** A group member's view of the sync topic; null for a trainer on its own. */
  private GroupSync group;
  /** This process's contributions are keyed {@code <incarnation>-<n>}: unique across its restarts. */
  private final String incarnation = Long.toString(System.currentTimeMillis(), 36);
  private long contributionSeq;
  /** A group member's: the weights it last adopted from a round or sent (its replica minus these is its update). */
  private List<NamedTensor> anchor;
  /**
   * A group member's updates sent and not yet folded by a round it adopted, by key: a round without
   * them leaves them in the replica (they reach the group's weights with a later round).
   */
  private final Map<String, List<NamedTensor>> unfolded = new LinkedHashMap<>();
  private long examplesSinceContribution;
  private int batchesSinceContribution;
  private long lastContributionNanos;
  private long lastMemberCheckpointNanos;
  private boolean warnedRound;
  /** A group member that stops: its last contribution says so. */
  private boolean leaving;
  private long lastSyncPollNanos;
  private long lastGroupLogNanos;
  /** A group member logs where it stands this often: what an operator (or a failed test) reads first. */
  private static final long GROUP_LOG_NANOS = 10_000_000_000L;
  private static final long SYNC_POLL_NANOS = 20_000_000L;
  private final GroupCounters groupCounters = new GroupCounters();

  /** What a group member did, for its status line and bench: safe to read from any thread. */
  static final class GroupCounters {
    volatile long contributions;
    volatile long contributionBytes;
    volatile long roundsAdopted;
    volatile long roundsFolded;
    volatile long roundBytes;
    volatile long refusedCommits;
    volatile long partitions;
    /** Time spent sending contributions: the update, its encoding and the transaction's commit. */
    volatile long contributeNanos;
    /** Time spent folding rounds (and publishing from them), as the publisher. */
    volatile long foldNanos;
    /** Time spent adopting rounds. */
    volatile long adoptNanos;
  }

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
      features = featuresFound(found);
    }
    setUp(features, found);
    log.info("trainer of model {} starts after version {} ({}) at positions {}", model, lastVersion(),
        found.checkpoint().isPresent() ? "from its checkpoint" : "no checkpoint", ledger);
  }

  /**
   * A group member's start: follows the sync topic to its end and, when the network is known (from
   * the configuration, the group's newest round, the member's checkpoint or the registry), sets up
   * and adopts the newest round. The poller subscribes; the group assigns the partitions.
   */
  void startGroup(GroupSync sync, TrainerStart.Found found) {
    this.group = sync;
    meters.group(groupCounters, sync::publishing, settings.group().member());
    initial = found.initial();
    sync.start();
    health.assigned();
    lastContributionNanos = clock.nanoTime();
    lastMemberCheckpointNanos = clock.nanoTime();
    GroupRecords.Round round = sync.latest();
    int features = settings.network().features();
    if (features == 0) {
      features = round != null ? round.features() : featuresFound(found);
    }
    setUp(features, found);
    log.info("trainer of model {} joins its group as member {} after version {} ({}; {})", model,
        settings.group().member(), lastVersion(), round == null ? "the group has no round yet"
            : "from the group's round " + round.round(),
        found.checkpoint().isPresent() ? "its own checkpoint for the optimizer" : "no checkpoint of its own");
  }

  /** The feature count of the checkpoint, else of the latest version or the initial model; 0 for none. */
  private static int featuresFound(TrainerStart.Found found) {
    return found.checkpoint().map(Checkpoint::features)
        .orElse(found.latest().or(found::initial).map(v -> v.signature().featureCount()).orElse(0));
  }

  /**
   * Sets up when the network is known ({@code features} not 0; -1 over raw records) and tells the
   * publisher the live version the gate compares with.
   */
  private void setUp(int features, TrainerStart.Found found) {
    if (features != 0) {
      init(features, found.checkpoint(), found.latest(), found.initial());
      tx.startFrom(snapshot());
    }
    publisher.live(rules == null ? null : TrainerStart.liveModel(found.registry(), model, settings.alias(),
        rules.state), found.registry().latestVersionNumber(model));
  }

  /** What the group member did so far; zeros for a trainer on its own. */
  GroupCounters groupCounters() {
    return groupCounters;
  }

  /** A snapshot of {@link #groupCounters()}; safe from any thread. */
  GroupStats groupStats() {
    GroupCounters g = groupCounters;
    return new GroupStats(g.contributions, g.contributionBytes, g.contributeNanos, g.roundsAdopted, g.adoptNanos,
        g.roundsFolded, g.roundBytes, g.foldNanos, g.refusedCommits, g.partitions, group != null && group.publishing());
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
    if (group != null) {
      anchor = state.learner.parameters();
      GroupRecords.Round round = group.latest();
      group.takeNewRound();
      if (round != null) {
        adopt(round);
      }
    }
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
    if (group != null) {
      acceptAssigned(); // before any record of a partition the group has just assigned
    }
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
      if (group == null) {
        commit(false, true); // a consistent first checkpoint to roll back to, before this record counts
      } // a group member rolls back to its anchor, the weights it has just set up
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
    if (group != null) {
      examplesSinceContribution += rows;
      batchesSinceContribution++;
    }
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
    if (group != null) {
      counters.discardedBatches++;
      if (failed != null) {
        ledger.poison(failed);
        failed.clear();
      }
      groupRollBack("non-finite " + reason, true);
      String message = "non-finite " + reason + ": batch discarded, weights rolled back to the member's last"
          + " contribution, optimizer state afresh; its records go to the dead-letter topic";
      events.send(producer, TrainingEventType.ALERT, rules.state.lastVersion, rules.state.examplesSeen,
          rules.state.learner.learningRate(), Map.of("discardedBatches", (double) counters.discardedBatches), message);
      log.warn("model {}: {}", model, message);
      updateStatus();
      return;
    }
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
    if (group != null) {
      if (rules != null && dirty && (batchesSinceContribution >= settings.group().syncBatches()
          || clock.nanoTime() - lastContributionNanos >= settings.group().syncMs() * 1_000_000L)) {
        contribute(null);
      }
      return;
    }
    if (rules != null && schedule.checkpointDue(dirty, rules.batch.rows)) {
      commit(schedule.publishDue(rules.batch.rows), true);
    }
  }

  /** The trainer stops: trains on {@code rest}, publishes what it trained and commits in this thread. */
  void finish(List<Chunk> rest) {
    for (Chunk chunk : rest) {
      take(chunk);
    }
    if (group != null) {
      finishInGroup();
      return;
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
    if (group != null) {
      contribute(null);
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

  // ---- a member of a trainer group (see GroupSync and docs/scaling.md) ----

  /**
   * A group member's turn between chunks: takes the partitions the group assigned, lets go of those
   * it takes away, follows the sync topic (adopting a new round), and, while it owns the labeled
   * topic's partition 0, folds and publishes for the group.
   */
  void groupStep() {
    if (group == null) {
      return;
    }
    acceptAssigned();
    Poller.Revocation r = poller.revocation();
    if (r != null) {
      letGo(r);
    }
    long now = clock.nanoTime();
    if (now - lastSyncPollNanos < SYNC_POLL_NANOS) {
      return; // between chunks of a fast stream: the sync topic is asked 50 times a second at most
    }
    lastSyncPollNanos = now;
    group.poll();
    if (now - lastGroupLogNanos >= GROUP_LOG_NANOS) {
      lastGroupLogNanos = now;
      GroupRecords.Round latest = group.latest();
      GroupCounters g = groupCounters;
      log.info("model {}: member {} reads {} partitions, {} records consumed; {} contributions sent (the last {} ms"
          + " ago), {} rounds adopted (the newest {}){}", model, settings.group().member(), ledger.positions().size(),
          counters.consumed, g.contributions, (now - lastContributionNanos) / 1_000_000, g.roundsAdopted,
          latest == null ? "none" : String.valueOf(latest.round()), group.publishing() ? "; publishing: "
              + group.pending().size() + " contributions waiting, " + g.roundsFolded + " rounds folded" : "");
    }
    if (rules == null) {
      return; // the network is set up with the first record; it adopts the newest round then
    }
    GroupRecords.Round round = group.takeNewRound();
    if (round != null) {
      adopt(round);
    }
    lead(false);
  }

  private void acceptAssigned() {
    Map<TopicPartition, Long> assigned = poller.takeAssigned();
    if (assigned.isEmpty()) {
      return;
    }
    assigned.forEach((tp, start) -> {
      ledger.assign(tp, start);
      meters.partition(poller, tp);
    });
    groupCounters.partitions = ledger.positions().size();
  }

  /**
   * The group takes partitions away: this member commits a contribution covering everything it
   * trained (or, when they are lost, discards what it has not committed), forgets them, and reads
   * the others again from where it stands, dropping what the poller had read ahead.
   */
  private void letGo(Poller.Revocation r) {
    try {
      acceptAssigned();
      if (rules != null) {
        if (r.lost()) {
          groupRollBack("the group lost this member's partitions " + r.revoked(), false);
        } else {
          contribute(r.group());
        }
      }
      ledger.remove(r.revoked());
      epoch++;
      poller.rewind(epoch, ledger.positions(), ledger.poisoned());
      groupCounters.partitions = ledger.positions().size();
      if (r.revoked().contains(new TopicPartition(settings.topics().labeled(), 0)) && group.publishing()) {
        group.stepDown();
      }
    } finally {
      r.done();
    }
  }

  /**
   * One transaction: this member's contribution (its update since the last one, and the lineage
   * ranges of what it consumed since), a PROGRESS record, its checkpoint when one is due, and its
   * consumed offsets under the consumer's group generation ({@code group}, or the poller's latest).
   * Committed on this thread. A refused commit (the group rebalanced) rolls the member back.
   *
   * @return whether it committed
   */
  private boolean contribute(ConsumerGroupMetadata groupMetadata) {
    if (rules == null) {
      return true;
    }
    TrainingState state = rules.state;
    if (rules.batch.rows > 0) {
      long at = epoch;
      trainBatch(rules.batch); // a short batch: every consumed example is in the update
      if (epoch != at) {
        return false;
      }
    }
    long started = clock.nanoTime();
    tx.await();
    if (!state.weightsFinite()) {
      rollBack(null, "weights");
      return false;
    }
    List<NamedTensor> theta = state.learner.parameters();
    GroupRecords.Round base = group.latest();
    GroupRecords.Contribution c = new GroupRecords.Contribution(model, settings.group().member(),
        incarnation + "-" + (contributionSeq + 1), base == null ? -1 : base.round(), examplesSinceContribution,
        GroupFold.minus(theta, anchor), ledger.lineage(), clock.now().toEpochMilli(), leaving);
    ProducerRecord<String, byte[]> record = group.contributionRecord(c);
    producer.send(record);
    Checkpoint checkpoint = null;
    if (clock.nanoTime() - lastMemberCheckpointNanos >= settings.schedule().checkpointEveryMs() * 1_000_000L) {
      checkpoint = snapshot();
      producer.send(new ProducerRecord<>(settings.topics().checkpoint(), TrainerStart.checkpointKey(settings),
          CheckpointCodec.encode(checkpoint)));
    }
    events.send(producer, TrainingEventType.PROGRESS, state.lastVersion, state.examplesSeen,
        state.learner.learningRate(), counters.progress(rules.prequential, publisher, rules.join), "");
    health.committing(counters.consumed);
    boolean committed = tx.commitInGroup(ledger.consumed(), groupMetadata != null ? groupMetadata
        : poller.groupMetadata(), checkpoint);
    if (!committed) {
      groupCounters.refusedCommits++;
      groupRollBack("the group rebalanced while this member committed", false);
      return false;
    }
    contributionSeq++;
    unfolded.put(c.key(), c.update());
    anchor = theta;
    ledger.versionPublished(); // the next contribution's ranges start here
    ledger.committed();
    examplesSinceContribution = 0;
    batchesSinceContribution = 0;
    lastContributionNanos = clock.nanoTime();
    if (checkpoint != null) {
      lastMemberCheckpointNanos = lastContributionNanos;
    }
    dirty = false;
    schedule.checkpointed();
    groupCounters.contributions++;
    groupCounters.contributionBytes += record.value().length;
    groupCounters.contributeNanos += clock.nanoTime() - started;
    updateStatus();
    return true;
  }

  /**
   * Discards what this member trained since its last contribution: the open transaction, the
   * replica's progress (back to its anchor) and the consumer's positions (back to each partition's
   * last committed offset), to be read again.
   */
  private void groupRollBack(String reason, boolean resetOptimizer) {
    rules.batch.clear();
    tx.abort();
    TrainingState state = rules.state;
    state.learner.setParameters(anchor);
    if (resetOptimizer) {
      state.resetOptimizer();
    }
    state.examplesSeen -= examplesSinceContribution;
    state.examplesSinceParent = Math.max(0, state.examplesSinceParent - examplesSinceContribution);
    examplesSinceContribution = 0;
    batchesSinceContribution = 0;
    epoch++;
    poller.rewind(epoch, ledger.rewindToRangeStart(), ledger.poisoned());
    schedule.rolledBack();
    health.rolledBack(counters.consumed);
    log.info("model {}: member {} discards what it trained since its last contribution ({}); it reads it again",
        model, settings.group().member(), reason);
    updateStatus();
  }

  /**
   * Takes a round without waiting for anything: the replica becomes the round's weights plus the
   * progress this member made since its anchor; the round's weights become the anchor.
   */
  private void adopt(GroupRecords.Round r) {
    TrainingState state = rules.state;
    if (!r.architecture().equals(state.spec.text()) || r.features() != state.spec.inputs()
        || !GroupFold.sameShape(r.parameters(), anchor)) {
      if (!warnedRound) {
        warnedRound = true;
        log.warn("model {}: the group's round {} has network '{}' on {} features; member {} trains '{}' on {} and"
            + " does not adopt it (all members of a group need one configuration)", model, r.round(),
            r.architecture(), r.features(), settings.group().member(), state.spec.text(), state.spec.inputs());
      }
      return;
    }
    long started = clock.nanoTime();
    group.takeOwnFolded().forEach(unfolded::remove);
    // The round's weights, plus this member's updates the group has not folded yet, are the new anchor;
    // what it trained since its last contribution stays on top.
    List<NamedTensor> base = r.parameters();
    for (List<NamedTensor> u : unfolded.values()) {
      base = GroupFold.plus(base, u);
    }
    List<NamedTensor> theta = state.learner.parameters();
    state.learner.setParameters(GroupFold.plus(base, GroupFold.minus(theta, anchor)));
    anchor = base;
    state.lastVersion = r.lastVersion();
    state.examplesSeen = r.examplesSeen() + examplesSinceContribution;
    state.examplesSinceParent = r.examplesSinceParent() + examplesSinceContribution;
    if (!r.leader().equals(settings.group().member())) {
      // The publisher's plateau control rules the group's base rate; a member's drift boost stays its own.
      state.rate.adoptBase(state.learner, r.learningRate());
      state.adoptScaler(r.scaler());
    }
    groupCounters.roundsAdopted++;
    groupCounters.adoptNanos += clock.nanoTime() - started;
    updateStatus();
  }

  /**
   * While this member owns the labeled topic's partition 0: takes over as the publisher (fencing the
   * previous one), and folds a round when one is due ({@code finishing}: whatever waits).
   */
  private void lead(boolean finishing) {
    if (!poller.ownsFirstPartition() && !(finishing && group.publishing())) {
      if (group.publishing()) {
        group.stepDown();
      }
      return;
    }
    try {
      if (!group.publishing()) {
        group.takeOver();
        RegistryState registry = RegistryReader.read(settings.clientProperties(), settings.topics().models(),
            TrainerStart.TIMEOUT);
        publisher.live(TrainerStart.liveModel(registry, model, settings.alias(), rules.state),
            registry.latestVersionNumber(model));
        if (group.latest() == null) {
          genesis();
        }
      }
      GroupRecords.Round base = group.latest();
      boolean due = finishing ? !group.pending().isEmpty() || base.examplesSinceParent() > 0
          : group.roundDue(2 * settings.group().syncMs());
      if (due) {
        fold(finishing);
      }
    } catch (KafkaException e) {
      if (Trainer.fenced(e)) {
        log.info("model {}: member {} was fenced as the group's publisher (another member took over)", model,
            settings.group().member());
      } else {
        log.warn("model {}: member {} failed to fold or publish for the group; it steps down and retries: {}",
            model, settings.group().member(), e.toString());
        abortQuietly(group.publisher());
      }
      group.stepDown();
    }
  }

  private static void abortQuietly(Producer<String, byte[]> p) {
    if (p == null) {
      return;
    }
    try {
      p.abortTransaction();
    } catch (RuntimeException ignored) {
      // closing the producer discards the transaction either way
    }
  }

  /**
   * The group's first round: the weights of a trainer of this model that ran on its own before (its
   * checkpoint, with the lineage it had not published yet, which the group then publishes), else
   * this member's.
   */
  private void genesis() {
    TrainingState state = rules.state;
    // This member's weights without its own updates sent so far: the first rounds fold those.
    List<NamedTensor> parameters = anchor;
    for (List<NamedTensor> u : unfolded.values()) {
      parameters = GroupFold.minus(parameters, u);
    }
    List<OffsetRange> unpublished = List.of();
    long lastVersion = state.lastVersion;
    long seen = Math.max(0, state.examplesSeen - examplesSinceContribution);
    long sinceParent = 0;
    Optional<Checkpoint> single = CheckpointStore.latest(settings.clientProperties(), settings.topics().checkpoint(),
        model, TrainerStart.TIMEOUT);
    if (single.isPresent() && single.get().architecture().equals(state.spec.text())
        && GroupFold.sameShape(single.get().parameters(), anchor)) {
      Checkpoint c = single.get();
      parameters = c.parameters();
      List<OffsetRange> ranges = new ArrayList<>();
      for (Checkpoint.PartitionProgress pp : c.partitions()) {
        if (!pp.ranges().isEmpty()) {
          ranges.addAll(pp.ranges());
        } else if (pp.nextOffset() > pp.rangeStart()) {
          ranges.add(new OffsetRange(pp.topic(), pp.partition(), pp.rangeStart(), pp.nextOffset()));
        }
      }
      unpublished = ranges;
      lastVersion = c.lastVersion();
      seen = c.examplesSeen();
      sinceParent = c.examplesSinceParent();
    }
    GroupRecords.Round first = new GroupRecords.Round(model, 0, settings.group().member(), state.spec.text(),
        state.spec.inputs(), lastVersion, seen, sinceParent, state.rate.baseRate(state.learner), state.scalerState(),
        parameters, unpublished, List.of(), clock.now().toEpochMilli());
    Producer<String, byte[]> p = group.publisher();
    p.beginTransaction();
    group.roundRecords(first).forEach(p::send);
    if (single.isPresent()) {
      // The group carries on from the single trainer's state; a trainer started on its own later
      // starts from the group's committed offsets and the registry, not from this older checkpoint.
      p.send(new ProducerRecord<>(settings.topics().checkpoint(), model, null));
    }
    p.commitTransaction();
    group.roundCommitted(first);
    log.info("model {}: the group starts at round 0 from {} (after version {}, {} examples seen)", model,
        single.isPresent() ? "the checkpoint of the trainer that ran on its own" : "member "
            + settings.group().member() + "'s weights", lastVersion, seen);
  }

  /**
   * Folds every pending contribution into the next round and, when a version is due (or the member
   * stops: {@code finishing}), gates and publishes the round's weights with the union of the folded
   * ranges as its lineage; one transaction of the publisher's producer.
   */
  private void fold(boolean finishing) {
    long started = clock.nanoTime();
    GroupRecords.Round base = group.latest();
    TrainingState state = rules.state;
    List<GroupRecords.Contribution> folded = new ArrayList<>(group.pending().values());
    // A member's updates of one round are one update (its progress since the last round): the mean
    // weighs members, not the number of contributions each sent.
    Map<String, List<NamedTensor>> byMember = new LinkedHashMap<>();
    Map<String, Long> examplesByMember = new LinkedHashMap<>();
    long added = 0;
    for (GroupRecords.Contribution c : folded) {
      added += c.examples();
      if (GroupFold.sameShape(base.parameters(), c.update())) {
        byMember.merge(c.member(), c.update(), GroupFold::plus);
        examplesByMember.merge(c.member(), c.examples(), Long::sum);
      } else {
        log.error("model {}: member {}'s contribution {} is of another network; its offsets are folded but its"
            + " update is not (all members of a group need one configuration)", model, c.member(), c.key());
      }
    }
    List<NamedTensor> weights = GroupFold.fold(base.parameters(), List.copyOf(byMember.values()),
        examplesByMember.values().stream().mapToLong(Long::longValue).toArray(), settings.group().combine());
    long seen = base.examplesSeen() + added;
    long sinceParent = base.examplesSinceParent() + added;
    List<OffsetRange> ranges = GroupSync.union(base.unpublished(), folded);
    Producer<String, byte[]> p = group.publisher();
    p.beginTransaction();
    long lastVersion = base.lastVersion();
    boolean published = false;
    if (group.publishDue(sinceParent) || (finishing && sinceParent > 0)) {
      // The gate measures the round's weights on this member's hold-out set; its plateau control
      // sets the rate the round carries to every member.
      List<NamedTensor> mine = state.learner.parameters();
      long[] own = {state.lastVersion, state.examplesSeen, state.examplesSinceParent};
      state.learner.setParameters(weights);
      state.lastVersion = lastVersion;
      state.examplesSeen = seen;
      state.examplesSinceParent = sinceParent;
      try {
        published = publisher.offer(p, state, rules.holdout, rules.prequential, ranges, rules.gate);
        lastVersion = state.lastVersion;
      } finally {
        state.learner.setParameters(mine);
        state.lastVersion = own[0];
        state.examplesSeen = own[1];
        state.examplesSinceParent = own[2];
      }
      group.published();
    }
    GroupRecords.Round next = new GroupRecords.Round(model, base.round() + 1, settings.group().member(),
        state.spec.text(), state.spec.inputs(), lastVersion, seen, published ? 0 : sinceParent,
        state.rate.baseRate(state.learner), state.scalerState(), weights, published ? List.of() : ranges,
        folded.stream().map(GroupRecords.Contribution::key).toList(), clock.now().toEpochMilli());
    List<ProducerRecord<String, byte[]>> records = group.roundRecords(next);
    records.forEach(p::send);
    p.commitTransaction();
    Transactions.Announcement a = publisher.takeAnnouncement();
    if (a != null) {
      log.atInfo().addKeyValue(LogContext.VERSION, a.version()).log("{} by the group (round {}, {} contributions)",
          a.message(), next.round(), folded.size());
    }
    groupCounters.roundsFolded++;
    groupCounters.roundBytes += records.get(0).value().length;
    groupCounters.foldNanos += clock.nanoTime() - started;
    group.roundCommitted(next);
    adopt(group.takeNewRound());
  }

  /** A group member stops: contributes what it trained and, while it publishes, folds and publishes the rest. */
  private void finishInGroup() {
    try {
      if (rules != null) {
        leaving = true;
        boolean sent = contribute(null);
        if (group.publishing()) {
          // its own contribution, read back, is folded with the others that wait; when the group
          // refused it (the others left meanwhile), what the others sent is still published
          long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
          String key = GroupRecords.contributionKey(model, settings.group().member(),
              incarnation + "-" + contributionSeq);
          while (sent && !group.pending().containsKey(key) && System.nanoTime() < deadline) {
            group.poll(Duration.ofMillis(100));
          }
          lead(true);
        }
      }
      tx.endOpen();
    } finally {
      tx.close();
      group.close();
    }
  }

  private void updateStatus() {
    status = rules == null ? counters.status(publisher, null, null, null)
        : counters.status(publisher, rules.state, rules.prequential, rules.join);
  }
}
