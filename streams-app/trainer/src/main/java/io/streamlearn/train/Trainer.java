package io.streamlearn.train;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.streamlearn.app.LogContext;
import io.streamlearn.app.OpsServer;
import io.streamlearn.registry.http.Health;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

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
 *
 * <p>The rules are {@link TrainerCore}'s; this class gives it real Kafka clients, the poller and
 * committer threads, and its lifecycle.
 *
 * <p>It records its meters in its {@link OpsServer} (the core's, and its consumer's and producer's
 * Kafka client metrics) and answers two health checks there, under the component {@code
 * trainer:<model>}: readiness (see {@link #readiness()}) and liveness, which fails once {@link
 * #run()} has thrown (the loop failed, or another trainer of the model fenced this one): such a
 * process does nothing more and should be restarted.
 */
public final class Trainer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Trainer.class);
  private static final Duration TAKE_TIMEOUT = Duration.ofMillis(100);
  /** A group member's session and transaction timeout unless the user sets them. */
  static final int GROUP_TIMEOUT_MS = 10_000;

  private final TrainerSettings settings;
  private final TrainerClock clock;
  private final OpsServer ops;
  private final String model;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile TrainerCore core;
  /** Why {@link #run()} threw; null while it has not. */
  private volatile Throwable failure;
  private volatile boolean finished;

  /** A trainer with meters and health of its own that no server serves; {@link #run()} starts it. */
  public Trainer(TrainerConfig config) {
    this(TrainerSettings.from(config), TrainerClock.SYSTEM);
  }

  /** A trainer that records its metrics and health in {@code ops}; {@link #run()} starts it. */
  public Trainer(TrainerConfig config, OpsServer ops) {
    this(TrainerSettings.from(config), TrainerClock.SYSTEM, ops);
  }

  /** A trainer on a given clock, with meters and health of its own that no server serves. */
  public Trainer(TrainerSettings settings, TrainerClock clock) {
    this(settings, clock, new OpsServer("trainer"));
  }

  /**
   * A trainer on a given clock that records its metrics and health in {@code ops} (which the
   * caller serves and closes); {@link #run()} starts it.
   */
  public Trainer(TrainerSettings settings, TrainerClock clock, OpsServer ops) {
    this.settings = settings;
    this.clock = clock;
    this.ops = ops;
    this.model = settings.model();
    Health health = ops.health();
    health.ready("trainer:" + model, this::readiness);
    health.live("trainer:" + model, this::liveness);
  }

  /** Where this trainer records its metrics and health. */
  public OpsServer ops() {
    return ops;
  }

  /** The latest status; safe from any thread. */
  public TrainerStatus status() {
    TrainerCore c = core;
    return c == null ? TrainerStatus.initial() : c.status();
  }

  /** What this trainer did as a member of a group so far ({@link GroupStats#NONE} for none); safe from any thread. */
  public GroupStats groupStats() {
    TrainerCore c = core;
    return c == null ? GroupStats.NONE : c.groupStats();
  }

  /**
   * Empty when the trainer is doing its job, else why not: it has not started or assigned its
   * partitions yet, it has stopped or failed, or records wait and its last checkpoint is older than
   * {@code health.checkpoint.max.age.ms}. Safe from any thread and cheap: what {@code /health/ready}
   * answers.
   */
  public Optional<String> readiness() {
    Throwable f = failure;
    if (f != null) {
      return Optional.of(failed(f));
    }
    if (finished) {
      return Optional.of("the trainer has stopped");
    }
    TrainerCore c = core;
    return c == null ? Optional.of("partitions not assigned yet") : c.readiness();
  }

  /** Empty unless {@link #run()} has thrown: then why, and that the process should be restarted. */
  public Optional<String> liveness() {
    Throwable f = failure;
    return f == null ? Optional.empty() : Optional.of(failed(f) + "; restart the process");
  }

  private String failed(Throwable f) {
    return fenced(f) ? "fenced: another trainer of model " + model + " started with the same transactional id"
        + " and this one has stopped" : "the training loop failed: " + f;
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
    // first: every line of this thread, and of the poller and committer it starts, names the model
    LogContext.model(model);
    try {
      runLoop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("trainer of model {} interrupted; its uncommitted work is discarded", model);
    } catch (RuntimeException e) {
      if (fenced(e)) {
        log.error("another trainer of model {} has started with the same transactional id and fenced this one; "
            + "this one stops, its uncommitted work discarded ({})", model, e.toString());
      } else if (tooLarge(e)) {
        log.error("trainer of model {} fails: a checkpoint (weights, optimizer state, feature pipeline) is larger than"
            + " a Kafka request may be ({}); use a smaller network or fewer hash buckets, or raise the producer's"
            + " max.request.size (--kafka-property) and the broker's message.max.bytes; its uncommitted work is"
            + " discarded", model, e.toString());
      } else {
        log.error("trainer of model {} fails; its uncommitted work is discarded", model, e);
      }
      failure = e;
      throw e;
    } catch (Error e) {
      failure = e;
      throw e;
    } finally {
      MDC.remove(LogContext.MODEL);
      finished = true;
      stopped.countDown();
    }
  }

  /** Whether the error, or one it wraps, is a record over the producer's or the broker's size limit. */
  static boolean tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.kafka.common.errors.RecordTooLargeException) {
        return true;
      }
    }
    return false;
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
    TrainerStart.ensureTopics(settings);
    // The consumer group of a trainer on its own and of a group's members: offsets carry over.
    String groupId = "streamlearn-trainer-" + model;
    TrainerSettings.Group group = settings.group();
    String txId = group.enabled() ? groupId + "-member-" + group.member() : groupId;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties(groupId),
             new StringDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(txId),
             new StringSerializer(), new ByteArraySerializer());
         // Closed before the clients; their client.id names the model.
         KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
         KafkaClientMetrics producerMetrics = new KafkaClientMetrics(producer)) {
      consumerMetrics.bindTo(ops.meters());
      producerMetrics.bindTo(ops.meters());
      // First: fences a killed predecessor and aborts its open transaction, so the registry and
      // checkpoint topics can be read to their committed end.
      producer.initTransactions();
      Transactions tx = new Transactions(producer, consumer.groupMetadata(), model);
      TrainerCore c = null;
      GroupSync sync = null;
      try {
        c = new TrainerCore(settings, clock, producer, tx, ops.meters());
        if (group.enabled()) {
          sync = new GroupSync(settings, clock);
          c.startGroup(sync, TrainerStart.read(settings));
        } else {
          c.start(consumer, TrainerStart.read(settings));
        }
      } catch (RuntimeException e) {
        if (c != null) {
          c.closeMeters();
        }
        if (sync != null) {
          sync.close();
        }
        tx.close();
        throw e;
      }
      core = c;
      try {
        Poller poller = new Poller(consumer, settings.topics().labeled(), "streamlearn-poller-" + model,
            Duration.ofMillis(group.enabled() ? Math.min(group.syncMs(), settings.schedule().checkpointEveryMs())
                : settings.schedule().checkpointEveryMs()), TrainerCore.CHUNK_RECORDS);
        if (group.enabled()) {
          poller.subscribe(List.of(settings.topics().labeled()));
        }
        c.attach(poller);
        poller.start();
        train(c, poller, tx);
      } finally {
        c.closeMeters();
      }
      log.info("trainer of model {} stopped at version {}", model, c.lastVersion());
    }
  }

  private void train(TrainerCore c, Poller poller, Transactions tx) throws InterruptedException {
    try {
      try {
        while (running) {
          Chunk chunk = poller.next(TAKE_TIMEOUT);
          if (chunk != null) {
            try {
              c.take(chunk);
            } finally {
              poller.recycle(chunk);
            }
          }
          c.checkpointIfDue();
          c.groupStep();
        }
      } finally {
        poller.close(); // the consumer is this thread's again
      }
      c.finish(poller.drain());
    } finally {
      tx.close();
    }
  }

  /**
   * The consumer's settings; a group member's is a cooperative group member (partitions move one at
   * a time, the others keep training) whose session, like its producer's transaction, times out in
   * 10 s unless the user says otherwise: how long a killed member holds its partitions.
   */
  private Map<String, Object> consumerProperties(String groupId) {
    Map<String, Object> p = Poller.consumerProperties(settings.clientProperties(), groupId);
    if (settings.group().enabled()) {
      p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
      p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, GROUP_TIMEOUT_MS);
      p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, GROUP_TIMEOUT_MS / 4);
      p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streamlearn-trainer-" + model + "-" + settings.group().member());
    }
    return p;
  }

  private Map<String, Object> producerProperties(String txId) {
    Map<String, Object> p = TrainerStart.producerProperties(settings.clientProperties(), txId);
    if (settings.group().enabled()) {
      p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, GROUP_TIMEOUT_MS);
    }
    return p;
  }

  static String codeVersion() {
    String v = Trainer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
