package io.streamlearn.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry on the compacted registry topic, materialized on read: a thread consumes the topic
 * from the beginning and keeps applying it to a {@link RegistryState}, so the view stays current
 * while other writers (the trainer) publish. Writes go in Kafka transactions (a version's chunks
 * and manifest, an alias and its change, land together or not at all), and return once the
 * registry has read them back.
 *
 * <p>Checks such as "the version number is newer" are made against the state read to the topic's
 * end just before writing; two registries writing the same model at the same instant could both
 * pass (Kafka has no conditional write). One writer per model, the trainer, is the intended use.
 */
public final class KafkaRegistry implements Registry {
  private static final Logger log = LoggerFactory.getLogger(KafkaRegistry.class);
  /**
   * Fields of the lines about one version, as the launchers' JSON log format names them
   * (io.streamlearn.app.LogContext declares them; this module sits below it).
   */
  private static final String LOG_MODEL = "model";
  private static final String LOG_VERSION = "version";

  /**
   * How a registry behaves.
   *
   * @param maxRecordBytes largest value written; larger versions are chunked
   * @param timeout how long reads wait for the topic's end and writes for their acknowledgement
   * @param recordForeignMoves whether to record, under their own keys, alias moves written by
   *     others without a change record (so compaction keeps them in the history)
   * @param onChange called on the tail thread after new records were applied (may be a no-op)
   */
  public record Options(int maxRecordBytes, Duration timeout, boolean recordForeignMoves,
                        Runnable onChange) {
    /** Defaults: 1 MB records, 30 s, foreign moves not recorded. */
    public static Options defaults() {
      return new Options(RegistryCodec.DEFAULT_MAX_RECORD_BYTES, Duration.ofSeconds(30), false, () -> {});
    }

    /** Same with {@code onChange}. */
    public Options withOnChange(Runnable callback) {
      return new Options(maxRecordBytes, timeout, recordForeignMoves, callback);
    }

    /** Same with {@code recordForeignMoves}. */
    public Options withRecordForeignMoves(boolean record) {
      return new Options(maxRecordBytes, timeout, record, onChange);
    }

    /** Same with {@code maxRecordBytes}. */
    public Options withMaxRecordBytes(int bytes) {
      return new Options(bytes, timeout, recordForeignMoves, onChange);
    }
  }

  private final String topic;
  private final Options options;
  private final RegistryCodec codec = new RegistryCodec();
  private final TopicView view;
  private final Map<String, Object> producerProps;
  /** Created on the first write: a registry that only reads never starts a transaction. */
  private KafkaProducer<String, byte[]> producer;

  /**
   * Connects, reads the topic to its end and keeps following it.
   *
   * @param clientProperties Kafka client properties (at least {@code bootstrap.servers})
   * @param topic the registry topic (it must exist)
   */
  public KafkaRegistry(Map<String, Object> clientProperties, String topic, Options options) {
    this.topic = topic;
    this.options = options;
    this.producerProps = new HashMap<>(clientProperties);
    producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "streamlearn-registry-" + UUID.randomUUID());
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Math.max(1 << 20, options.maxRecordBytes() + (1 << 16)));
    this.view = new TopicView(clientProperties, topic, options.maxRecordBytes(), options.timeout(), codec,
        options.onChange());
    try {
      view.sync();
    } catch (RegistryException e) {
      view.close();
      throw e;
    }
  }

  /** A registry with default options. */
  public static KafkaRegistry open(Map<String, Object> clientProperties, String topic) {
    return new KafkaRegistry(clientProperties, topic, Options.defaults());
  }

  /** Waits until the view has applied everything committed on the topic now. */
  public void sync() {
    view.sync();
  }

  /** Whether this registry still follows its topic: false once reading it failed for good or it closed. */
  public boolean following() {
    return view.following();
  }

  @Override
  public <T> T read(Function<RegistryState, T> query) {
    return view.read(query);
  }

  @Override
  public synchronized ModelVersion publish(ModelVersion version) {
    sync();
    long latest = read(s -> s.latestVersionNumber(version.name()));
    if (version.version() <= latest) {
      throw new RegistryException(RegistryException.Kind.CONFLICT, "version " + version.version()
          + " of " + version.name() + " is not newer than its latest version " + latest);
    }
    version.verifyChecksum();
    write(codec.versionRecords(version, options.maxRecordBytes()));
    log.atInfo().addKeyValue(LOG_MODEL, version.name()).addKeyValue(LOG_VERSION, version.version())
        .log("published {} ({} tensor bytes)", version.key(), version.tensorBytes());
    return version;
  }

  @Override
  public synchronized AliasMove setAlias(String model, String alias, long version, String by, String reason) {
    return move(model, alias, version, by, reason, AliasChange.Action.MOVE);
  }

  private AliasMove move(String model, String alias, long version, String by, String reason,
                         AliasChange.Action action) {
    sync();
    long previous = read(s -> {
      if (s.version(model, version).isEmpty()) {
        throw new RegistryException(RegistryException.Kind.NOT_FOUND,
            "model " + model + " has no version " + version);
      }
      AliasMove current = s.aliases(model).get(alias);
      return current == null ? 0L : current.version();
    });
    AliasMove move = new AliasMove(model, alias, version, now(), by, reason, previous);
    write(codec.moveRecords(move, action));
    log.atInfo().addKeyValue(LOG_MODEL, model).addKeyValue(LOG_VERSION, version)
        .log("{} -> {} ({}) by {}: {}", move.key(), version, action, by, reason);
    return move;
  }

  @Override
  public synchronized void deleteAlias(String model, String alias, String by, String reason) {
    sync();
    AliasMove current = read(s -> s.aliases(model).get(alias));
    if (current == null) {
      throw new RegistryException(RegistryException.Kind.NOT_FOUND,
          "model " + model + " has no alias " + alias);
    }
    write(codec.deletionRecords(new AliasChange(model, alias, AliasChange.Action.DELETE,
        current.version(), current.version(), now(), by, reason, true)));
  }

  @Override
  public synchronized AliasMove rollback(String model, String alias, String by, String reason) {
    sync();
    OptionalLong target = read(s -> {
      if (s.aliases(model).get(alias) == null) {
        throw new RegistryException(RegistryException.Kind.NOT_FOUND,
            "model " + model + " has no alias " + alias);
      }
      return s.rollbackTarget(model, alias);
    });
    if (target.isEmpty()) {
      throw new RegistryException(RegistryException.Kind.CONFLICT, model + "@" + alias
          + " has no earlier version to roll back to");
    }
    return move(model, alias, target.getAsLong(), by, reason, AliasChange.Action.ROLLBACK);
  }

  @Override
  public synchronized List<Long> retain(String model, int keepLast) {
    if (keepLast < 1) {
      throw new RegistryException(RegistryException.Kind.INVALID, "keepLast must be >= 1, found " + keepLast);
    }
    sync();
    List<RegistryCodec.KeyValue> tombstones = new ArrayList<>();
    List<Long> deleted = read(s -> {
      List<Long> out = new ArrayList<>();
      java.util.Set<Long> aliased = new java.util.HashSet<>();
      s.aliases(model).values().forEach(a -> aliased.add(a.version()));
      int kept = 0;
      for (ModelVersion v : s.versions(model).descendingMap().values()) {
        if (kept < keepLast) {
          kept++;
        } else if (!aliased.contains(v.version())) {
          out.add(v.version());
          s.chunking(model, v.version()).ifPresent(m -> {
            for (int i = 0; i < m.count(); i++) {
              tombstones.add(new RegistryCodec.KeyValue(RegistryKey.chunk(model, v.version(), i).toString(), null));
            }
          });
          tombstones.add(new RegistryCodec.KeyValue(v.key(), null));
        }
      }
      return out;
    });
    if (!tombstones.isEmpty()) {
      write(tombstones);
      log.info("retention of {} (keep last {} and aliased): deleted versions {}", model, keepLast, deleted);
    }
    return deleted;
  }

  @Override
  public synchronized Optional<AliasMove> applyPolicy(PromotionPolicy policy, String model) {
    sync();
    Optional<PromotionPolicy.Decision> decision = read(s -> policy.decide(s, model));
    return decision.map(d -> move(model, policy.alias(), d.version(), PromotionPolicy.ACTOR, d.reason(),
        AliasChange.Action.MOVE));
  }

  /** Records the alias moves seen without a change record of their own; returns how many. */
  public synchronized int recordForeignMoves() {
    List<AliasChange> unrecorded = read(RegistryState::unrecordedChanges);
    if (unrecorded.isEmpty()) {
      return 0;
    }
    List<RegistryCodec.KeyValue> records = new ArrayList<>();
    for (AliasChange c : unrecorded) {
      records.add(new RegistryCodec.KeyValue(c.key(), codec.encode(c.asRecorded())));
    }
    write(records);
    return records.size();
  }

  /** The options of this registry. */
  public Options options() {
    return options;
  }

  private void write(List<RegistryCodec.KeyValue> records) {
    List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
    try {
      if (producer == null) {
        KafkaProducer<String, byte[]> created =
            new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        try {
          created.initTransactions();
        } catch (KafkaException e) {
          created.close(Duration.ZERO);
          throw e;
        }
        producer = created;
      }
      producer.beginTransaction();
      for (RegistryCodec.KeyValue kv : records) {
        sent.add(producer.send(new ProducerRecord<>(topic, 0, kv.key(), kv.value())));
      }
      producer.commitTransaction();
      // commitTransaction returns before the commit markers reach the partition, so the end
      // offset may not cover these records yet: wait for the view to pass the last one instead
      RecordMetadata last = sent.get(sent.size() - 1).get();
      view.awaitPosition(new TopicPartition(last.topic(), last.partition()), last.offset() + 1);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "cannot write to registry topic "
          + topic + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "interrupted writing " + topic, e);
    } catch (KafkaException e) {
      try {
        if (producer != null) {
          producer.abortTransaction();
        }
      } catch (KafkaException abortFailure) {
        e.addSuppressed(abortFailure); // fenced or broken: start over with a new producer next time
        producer.close(Duration.ZERO);
        producer = null;
      }
      throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "cannot write to registry topic "
          + topic + ": " + e.getMessage(), e);
    }
  }

  private static Instant now() {
    return Instant.ofEpochMilli(System.currentTimeMillis());
  }

  @Override
  public void close() {
    view.close();
    synchronized (this) {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
    }
  }
}
