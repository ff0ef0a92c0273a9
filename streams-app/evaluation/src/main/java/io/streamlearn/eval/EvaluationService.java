package io.streamlearn.eval;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.app.OpsServer;
import io.streamlearn.app.StreamsOps;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.http.Health;
import io.streamlearn.config.TopicSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running evaluation instance: creates the missing topics (its internal by-version topic too),
 * then runs {@link EvaluationTopology}, and answers the all-time served figures of this instance's
 * partitions ({@link #served(String)}).
 *
 * <p>It records into its {@link OpsServer}: {@link EvaluationOpsMeters} and the Kafka Streams
 * client's metrics (Micrometer's {@link KafkaStreamsMetrics}); its health: ready while Streams is
 * {@code RUNNING}, live unless Streams failed or stopped unasked ({@link StreamsOps}).
 */
public final class EvaluationService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EvaluationService.class);

  private final EvaluationSettings settings;
  private final KafkaStreams streams;
  private final RegistryChallengerPromoter promoter;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Health component name of the Streams client. */
  static final String STREAMS_CHECK = "evaluation.streams";
  private final OpsServer ops;
  private final boolean ownsOps;
  private final StreamsOps streamsOps;

  /**
   * The served figures of one alias summed over its versions.
   *
   * @param evaluated leak-free evaluations of classifications and regressions
   * @param leaked evaluations excluded because the version had trained on the input
   * @param accuracy correct over leak-free classifications, NaN without any
   */
  public record Served(long evaluated, long leaked, double accuracy) {}

  /** Creates missing topics and prepares (does not start) the streams app, with meters of its own. */
  public EvaluationService(EvaluationSettings settings) {
    this(settings, new OpsServer("evaluation"), true);
  }

  /**
   * Creates missing topics and prepares (does not start) the streams app, recording metrics and
   * health in {@code ops} (which the caller serves and closes).
   */
  public EvaluationService(EvaluationSettings settings, OpsServer ops) {
    this(settings, ops, false);
  }

  private EvaluationService(EvaluationSettings settings, OpsServer ops, boolean ownsOps) {
    this.settings = settings;
    this.ops = ops;
    this.ownsOps = ownsOps;
    Map<String, Object> client = settings.kafka().clientProperties();
    TopicSettings shared = settings.topics();
    int partitions = shared.partitions();
    List<KafkaSupport.TopicSpec> topics = new ArrayList<>();
    for (String p : settings.predictionTopics()) {
      topics.add(KafkaSupport.eventTopic(p, partitions));
    }
    topics.add(KafkaSupport.eventTopic(settings.labelsTopic(), partitions));
    topics.add(KafkaSupport.eventTopic(settings.evaluationsTopic(), partitions));
    topics.add(KafkaSupport.eventTopic(settings.byVersionTopic(), partitions));
    topics.add(KafkaSupport.eventTopic(settings.servedMetricsTopic(), partitions));
    if (settings.challenger().enabled()) {
      topics.add(KafkaSupport.eventTopic(settings.challengerPairsTopic(), partitions));
      topics.add(KafkaSupport.eventTopic(settings.challenger().verdictsTopic(), partitions));
    }
    topics.add(KafkaSupport.eventTopic(RollbackBranch.byAliasTopic(settings), partitions));
    // the trainer's history, as the trainer creates it (one ordered partition): rollback and
    // promotion alerts go there too
    topics.add(KafkaSupport.eventTopic(shared.metrics(), 1));
    if (settings.drift().enabled()) {
      settings.drift().inputTopics().forEach(t -> topics.add(KafkaSupport.eventTopic(t, partitions)));
    }
    topics.add(KafkaSupport.deadLetterTopic(shared.deadLetter()));
    topics.add(KafkaSupport.registryTopic(shared.models()));
    KafkaSupport.ensureTopics(client, shared.replicationFactor(), topics);
    promoter = settings.challenger().autoPromote()
        ? new RegistryChallengerPromoter(client, shared.models()) : null;
    EvaluationMeters meters = new EvaluationOpsMeters(ops.meters(), settings.model(), CommonKeys.DEFAULT_ALIAS);
    streams = new KafkaStreams(EvaluationTopology.build(settings,
        promoter == null ? ChallengerPromoter.none() : promoter, meters), streamsProperties(settings));
    streams.setUncaughtExceptionHandler(e -> {
      log.error("evaluation stream thread failed; replacing it", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streamsOps = StreamsOps.attach(streams, ops, STREAMS_CHECK, "evaluation-kafka-metrics");
  }

  /** Where this instance records its metrics and health. */
  public OpsServer ops() {
    return ops;
  }

  /** The Kafka Streams properties of these settings. */
  public static Properties streamsProperties(EvaluationSettings settings) {
    Properties p = new Properties();
    p.putAll(settings.kafka().passThrough());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka().bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs());
    p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topics().replicationFactor());
    // The registry holds whole models: the global consumer must fetch records as large as one.
    p.putIfAbsent(StreamsConfig.GLOBAL_CONSUMER_PREFIX + ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        KafkaSupport.MAX_MODEL_BYTES);
    p.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
    return p;
  }

  /** Starts processing. */
  public void start() {
    streams.start();
  }

  /** The Kafka Streams state. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * The all-time served figures of {@code alias} over every version of the model, from this
   * instance's stores (all of them when it runs alone); zeros while the stores are not queryable.
   */
  public Served served(String alias) {
    ServedStats sum = new ServedStats();
    try {
      ReadOnlyKeyValueStore<String, byte[]> totals = streams.store(StoreQueryParameters.fromNameAndType(
          EvaluationTopology.TOTALS_STORE, QueryableStoreTypes.keyValueStore()));
      String suffix = "@" + alias;
      try (KeyValueIterator<String, byte[]> it = totals.all()) {
        while (it.hasNext()) {
          KeyValue<String, byte[]> kv = it.next();
          if (kv.key.startsWith(settings.model() + ":") && kv.key.endsWith(suffix)) {
            sum.merge(ServedStats.decode(kv.value));
          }
        }
      }
    } catch (InvalidStateStoreException e) {
      log.debug("served totals not queryable yet: {}", e.getMessage());
    }
    long classified = sum.classified();
    return new Served(sum.evaluated, sum.leaked, classified == 0 ? Double.NaN : (double) sum.correct / classified);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    streamsOps.closing();
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
    if (promoter != null) {
      promoter.close(); // after the stream threads, the only callers, have stopped
    }
    streamsOps.close();
    if (ownsOps) {
      ops.close();
    }
  }
}
