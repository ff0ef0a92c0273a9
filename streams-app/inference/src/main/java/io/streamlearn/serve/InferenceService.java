package io.streamlearn.serve;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.app.OpsServer;
import io.streamlearn.app.StreamsOps;
import io.streamlearn.config.TopicSettings;
import io.streamlearn.registry.http.Health;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running inference instance: creates missing topics, then runs the topology, with refused
 * versions written to the dead-letter topic by a producer of its own.
 *
 * <p>It records into its {@link OpsServer}: the {@link InferenceMetrics} meters, the Kafka Streams
 * client's metrics ({@code kafka.stream.*}, {@code kafka.consumer.*}, {@code kafka.producer.*}
 * through Micrometer's {@link KafkaStreamsMetrics}) and the refusal producer's ({@link
 * KafkaClientMetrics}, its {@code client_id} starting {@code streamlearn-inference-refusals}); and
 * its health:
 *
 * <ul>
 *   <li>ready when Kafka Streams is {@code RUNNING} and a model is loaded for the served alias
 *       (otherwise 503 with "Kafka Streams is REBALANCING" or "no model loaded yet for m@live");
 *   <li>live unless Kafka Streams failed: {@code ERROR}, {@code PENDING_ERROR}, or {@code
 *       NOT_RUNNING} when this service was not closed (a normal close is not a failure).
 * </ul>
 *
 * <p>Both read the state a Kafka Streams state listener keeps ({@link StreamsOps}), so a probe
 * never waits on Kafka.
 *
 * <p>Its {@link PredictApi} answers synchronous predict requests on the routes of its {@link
 * OpsServer}.
 */
public final class InferenceService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InferenceService.class);
  private static final String CONSUMER = StreamsConfig.CONSUMER_PREFIX;
  private static final String MAIN_CONSUMER = StreamsConfig.MAIN_CONSUMER_PREFIX;
  private static final String GLOBAL_CONSUMER = StreamsConfig.GLOBAL_CONSUMER_PREFIX;
  private static final String PRODUCER = StreamsConfig.PRODUCER_PREFIX;
  /** Health component names: the Streams client, and the served alias's model. */
  static final String STREAMS_CHECK = "inference.streams";
  static final String MODEL_CHECK = "inference.model";
  /** Kafka Streams' poll.ms without a micro-batch linger. */
  static final long IDLE_POLL_MS = 2;

  private final Serving serving;
  private final DeadLetterRefusals refusals;
  private final KafkaStreams streams;
  private final OpsServer ops;
  private final boolean ownsOps;
  private final StreamsOps streamsOps;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Creates missing topics and prepares (does not start) the streams app. */
  public InferenceService(InferenceConfig config) {
    this(config.settings());
  }

  /**
   * Creates missing topics and prepares (does not start) the streams app, with meters and health
   * of its own that no server serves.
   */
  public InferenceService(InferenceSettings settings) {
    this(settings, new OpsServer("inference"), true);
  }

  /**
   * Creates missing topics and prepares (does not start) the streams app, which records its
   * metrics and health in {@code ops} (which the caller serves and closes).
   */
  public InferenceService(InferenceSettings settings, OpsServer ops) {
    this(settings, ops, false);
  }

  private InferenceService(InferenceSettings settings, OpsServer ops, boolean ownsOps) {
    this.ops = ops;
    this.ownsOps = ownsOps;
    Map<String, Object> client = settings.kafka().clientProperties();
    TopicSettings shared = settings.topics();
    int partitions = shared.partitions();
    List<KafkaSupport.TopicSpec> topics = new ArrayList<>();
    for (String input : settings.inputTopics()) {
      topics.add(KafkaSupport.eventTopic(input, partitions));
    }
    topics.add(KafkaSupport.eventTopic(shared.predictions(), partitions));
    if (settings.shadowAlias() != null) {
      topics.add(KafkaSupport.eventTopic(settings.shadowTopic(), partitions));
    }
    topics.add(KafkaSupport.deadLetterTopic(shared.deadLetter()));
    topics.add(KafkaSupport.registryTopic(shared.models()));
    KafkaSupport.ensureTopics(client, shared.replicationFactor(), topics);
    this.refusals = new DeadLetterRefusals(client, shared.deadLetter());
    this.serving = Serving.of(settings, new ServedModel(), refusals, ops.meters());
    this.streams = new KafkaStreams(InferenceTopology.build(settings, serving), streamsProperties(settings));
    streams.setUncaughtExceptionHandler(e -> {
      log.error("stream thread failed; replacing it", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    this.streamsOps = StreamsOps.attach(streams, ops, STREAMS_CHECK, "inference-kafka-metrics");
    streamsOps.bind(refusals.producer());
    String served = settings.model() + "@" + settings.alias();
    ops.health().ready(MODEL_CHECK, Health.of(() -> serving.primary().current() != null ? null
        : "no model loaded yet for " + served));
    new PredictApi(settings, serving, this::registryRecord, ops.meters()).register(ops.routes());
  }

  /**
   * A record of the registry global store, read in place (interactive queries on this instance's
   * own copy, never a request to Kafka), for the predict API's versions beyond the served ones.
   */
  private byte[] registryRecord(String key) {
    try {
      ReadOnlyKeyValueStore<String, byte[]> store = streams.store(StoreQueryParameters.fromNameAndType(
          InferenceTopology.REGISTRY_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
      return store.get(key);
    } catch (InvalidStateStoreException e) {
      throw new IllegalStateException("Kafka Streams is " + streams.state(), e);
    }
  }

  /** The Kafka Streams properties of a configuration. */
  public static Properties streamsProperties(InferenceConfig config) {
    return streamsProperties(config.settings());
  }

  /** The Kafka Streams properties of settings already read. */
  public static Properties streamsProperties(InferenceSettings settings) {
    Properties p = new Properties();
    Map<String, Object> user = settings.kafka().passThrough();
    p.putAll(user);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka().bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs());
    p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topics().replicationFactor());
    // The built-in client settings below are defaults: a --kafka-property for the same setting wins,
    // whether given plainly or with a Streams client prefix.
    defaultUnlessSet(p, user, CONSUMER, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000, MAIN_CONSUMER);
    defaultUnlessSet(p, user, GLOBAL_CONSUMER, ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        KafkaSupport.MAX_MODEL_BYTES, CONSUMER);
    defaultUnlessSet(p, user, PRODUCER, ProducerConfig.LINGER_MS_CONFIG, 5);
    // A refused input goes to the dead-letter topic unchanged, however large it was.
    defaultUnlessSet(p, user, PRODUCER, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaSupport.MAX_MODEL_BYTES);
    defaultUnlessSet(p, user, CONSUMER, ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        KafkaSupport.MAX_MODEL_BYTES, MAIN_CONSUMER);
    // An idle stream thread blocks in poll() for poll.ms before it punctuates: keep that within the
    // micro-batch linger (at most the default 100 ms) so the last events of a burst are not held.
    // Without a linger an idle task's queue is empty (a quiet event is scored on arrival), so 2 ms
    // is enough: with 1 ms the stream thread spent more CPU per event in 'bench inference'.
    long linger = settings.batchLingerMs();
    p.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, linger == 0 ? IDLE_POLL_MS : Math.min(100L, linger));
    // Bad registry records are handled inside RegistryFollower; opt in to the 5.0 default now.
    p.putIfAbsent("processing.exception.handler.global.enabled", true);
    return p;
  }

  /**
   * Sets {@code prefix + name} to a built-in value unless the user set {@code name} plainly, under
   * {@code prefix} or under one of the {@code alsoUserPrefixes} (a prefixed built-in would override
   * the user's plain or broader setting in Streams).
   */
  private static void defaultUnlessSet(Properties p, Map<String, Object> user, String prefix, String name,
                                       Object value, String... alsoUserPrefixes) {
    if (user.containsKey(name) || user.containsKey(prefix + name)) {
      return;
    }
    for (String other : alsoUserPrefixes) {
      if (user.containsKey(other + name)) {
        return;
      }
    }
    p.put(prefix + name, value);
  }

  /** Starts processing. */
  public void start() {
    streams.start();
  }

  /** The served model, for status and tests. */
  public ServedModel served() {
    return serving.primary();
  }

  /** The served, shadow and canary models and the metrics. */
  public Serving serving() {
    return serving;
  }

  /** The instance's metrics (their meters are in {@link #ops()}'s registry). */
  public InferenceMetrics metrics() {
    return serving.metrics();
  }

  /** Where this instance records its metrics and health. */
  public OpsServer ops() {
    return ops;
  }

  /** The Kafka Streams state. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    streamsOps.closing();
    // Leave the group at once so the other instances take over this one's partitions now, not
    // after the session timeout.
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
    streamsOps.close();
    refusals.close();
    if (ownsOps) {
      ops.close();
    }
  }
}
