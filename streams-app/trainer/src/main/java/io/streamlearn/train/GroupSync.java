package io.streamlearn.train;

import io.streamlearn.registry.OffsetRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group member's view of its model's sync topic, on the training thread. Partition 0 holds the
 * rounds, which every member follows (read committed) to adopt the newest {@link GroupRecords.Round};
 * partition 1 holds the contributions, which only the publishing member reads: it knows those no
 * round has folded yet. So a member reads one round per round, whatever the group's size, and only
 * the publisher reads every member's updates. While the member publishes (it owns the labeled
 * topic's partition 0) it also holds the publisher's transactional producer, whose id is the single
 * trainer's: taking it over fences the previous publisher (and any trainer of the model running on
 * its own).
 */
final class GroupSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupSync.class);
  private static final Duration CATCH_UP = Duration.ofSeconds(60);
  /** Offsets of the rounds partition a member reads first at start (a round and its commit marker are two). */
  private static final long TAIL = 64;
  /** How long one {@link #poll()} reads while records keep coming. */
  private static final long POLL_BUDGET_NANOS = 20_000_000L;

  private final TrainerSettings settings;
  private final String model;
  private final TrainerClock clock;
  private final Consumer<String, byte[]> reader;
  /** The rounds. */
  private final TopicPartition rounds;
  /** The contributions and their tombstones. */
  private final TopicPartition contributions;
  private GroupRecords.Round latest;
  private boolean newRound;
  /** Contributions no round has folded, by key, in the order they were written. */
  private final Map<String, GroupRecords.Contribution> pending = new LinkedHashMap<>();
  /** When each pending contribution was read, by key (this process's clock, ms). */
  private final Map<String, Long> readAt = new HashMap<>();
  /** Per member, when its newest contribution was read (ms): who counts as active. */
  private final Map<String, Long> heard = new HashMap<>();
  /** This member's contributions folded by rounds since {@link #takeOwnFolded()}. */
  private final Set<String> ownFolded = new HashSet<>();
  /** Members whose newest contribution said they stop: no round waits for them. */
  private final Set<String> leaving = new HashSet<>();
  /** Written by the training thread, read by status readers. */
  private volatile Producer<String, byte[]> publisher;
  private long lastPublishMs;
  long bytesRead;

  GroupSync(TrainerSettings settings, TrainerClock clock) {
    this(settings, clock, new KafkaConsumer<>(readerProperties(settings.clientProperties()), new StringDeserializer(),
        new ByteArrayDeserializer()));
  }

  GroupSync(TrainerSettings settings, TrainerClock clock, Consumer<String, byte[]> reader) {
    this.settings = settings;
    this.model = settings.model();
    this.clock = clock;
    this.reader = reader;
    this.rounds = new TopicPartition(settings.group().topic(), 0);
    this.contributions = new TopicPartition(settings.group().topic(), 1);
    reader.assign(List.of(rounds));
    this.lastPublishMs = clock.now().toEpochMilli();
  }

  static Map<String, Object> readerProperties(Map<String, Object> clientProps) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Weights are megabytes: the OS's auto-tuned socket buffer (Kafka's 64 KiB default takes a 20 MB
    // fetch in hundreds of reads, each a poll of the training thread's) and fetches of a few records.
    p.putIfAbsent(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1);
    p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
    p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 << 20);
    return p;
  }

  /**
   * A member's start: the newest round. It reads the rounds partition's last records first (the
   * newest round of a busy group is among them) and, if they hold none of this model's, all of it.
   */
  void start() {
    int partitions = reader.partitionsFor(rounds.topic(), CATCH_UP).size();
    if (partitions < 2) {
      throw new IllegalStateException("the group's sync topic " + rounds.topic() + " has " + partitions
          + " partition(s); a trainer group needs 2 (rounds, contributions): delete it, or name another with "
          + "--group-sync-topic");
    }
    long end = reader.endOffsets(List.of(rounds), CATCH_UP).get(rounds);
    reader.seek(rounds, Math.max(0, end - TAIL));
    catchUp();
    if (latest == null && end > TAIL) {
      reader.seekToBeginning(List.of(rounds));
      catchUp();
    }
  }

  /** Reads every assigned partition to its committed end. */
  private void catchUp() {
    Map<TopicPartition, Long> ends = reader.endOffsets(reader.assignment(), CATCH_UP);
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      while (reader.position(e.getKey(), CATCH_UP) < e.getValue()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read the group's sync topic " + e.getKey() + " to its end "
              + e.getValue() + " within " + CATCH_UP.toSeconds() + " s");
        }
        apply(reader.poll(Duration.ofMillis(200)));
      }
    }
  }

  /**
   * Takes what the topic has now without waiting, and goes on (20 ms at most) while records come, so
   * a large fetch is read through rather than one socket buffer per call.
   */
  void poll() {
    long deadline = System.nanoTime() + POLL_BUDGET_NANOS;
    int n;
    do {
      ConsumerRecords<String, byte[]> records = reader.poll(Duration.ZERO);
      n = records.count();
      apply(records);
    } while (n > 0 && System.nanoTime() < deadline);
  }

  /** Takes what the topic has, waiting up to {@code timeout} for something. */
  void poll(Duration timeout) {
    apply(reader.poll(timeout));
  }

  private void apply(Iterable<ConsumerRecord<String, byte[]>> records) {
    for (ConsumerRecord<String, byte[]> r : records) {
      String key = r.key();
      if (key == null || !key.startsWith(model + "/")) {
        continue; // another model's
      }
      bytesRead += r.serializedValueSize() < 0 ? 0 : r.serializedValueSize();
      if (key.equals(GroupRecords.roundKey(model))) {
        if (r.value() != null) {
          roundRead(r);
        }
      } else if (GroupRecords.isContribution(model, key)) {
        if (r.value() == null) {
          pending.remove(key);
          readAt.remove(key);
          continue;
        }
        try {
          GroupRecords.Contribution c = GroupRecords.decodeContribution(r.value());
          if (latest == null || !latest.folded().contains(key)) {
            pending.put(key, c);
            long now = clock.now().toEpochMilli();
            readAt.put(key, now);
            heard.put(c.member(), now);
            if (c.last()) {
              leaving.add(c.member());
            } else {
              leaving.remove(c.member());
            }
          }
        } catch (IllegalArgumentException e) {
          log.error("model {}: sync record {}-{}@{} (key {}) is not a contribution; it is ignored: {}", model,
              r.topic(), r.partition(), r.offset(), key, e.getMessage());
        }
      }
    }
  }

  private void roundRead(ConsumerRecord<String, byte[]> r) {
    GroupRecords.Round round;
    try {
      round = GroupRecords.decodeRound(r.value());
    } catch (IllegalArgumentException e) {
      log.error("model {}: sync record {}-{}@{} is not a round; it is ignored: {}", model, r.topic(), r.partition(),
          r.offset(), e.getMessage());
      return;
    }
    roundCommitted(round);
  }

  /** A round is committed (read from the topic, or written by this member): the newest one wins. */
  void roundCommitted(GroupRecords.Round round) {
    if (latest != null && round.round() <= latest.round()) {
      return;
    }
    latest = round;
    newRound = true;
    String own = GroupRecords.contributionKey(model, settings.group().member(), "");
    for (String key : round.folded()) {
      pending.remove(key);
      readAt.remove(key);
      if (key.startsWith(own)) {
        ownFolded.add(key);
      }
    }
  }

  /**
   * This member's contributions folded by the rounds committed since the last call (every round
   * read counts, not only the newest): what its replica no longer carries on its own.
   */
  Set<String> takeOwnFolded() {
    Set<String> taken = Set.copyOf(ownFolded);
    ownFolded.clear();
    return taken;
  }

  /** The newest round, or null before the group's first. */
  GroupRecords.Round latest() {
    return latest;
  }

  /** The newest round once, when it is newer than the last one taken; else null. */
  GroupRecords.Round takeNewRound() {
    if (!newRound) {
      return null;
    }
    newRound = false;
    return latest;
  }

  Map<String, GroupRecords.Contribution> pending() {
    return pending;
  }

  /**
   * Whether the publisher should fold now: some contribution waits, and every member heard from
   * within {@code activeMs} has one waiting, or the oldest has waited {@code group.round.timeout.ms}.
   */
  boolean roundDue(long activeMs) {
    if (pending.isEmpty()) {
      return false;
    }
    long now = clock.now().toEpochMilli();
    long oldest = readAt.values().stream().mapToLong(Long::longValue).min().orElse(now);
    if (now - oldest >= settings.group().roundTimeoutMs()) {
      return true;
    }
    Set<String> waiting = new HashSet<>();
    pending.values().forEach(c -> waiting.add(c.member()));
    for (Map.Entry<String, Long> e : heard.entrySet()) {
      if (now - e.getValue() <= activeMs && !waiting.contains(e.getKey()) && !leaving.contains(e.getKey())) {
        return false;
      }
    }
    return true;
  }

  /** Whether a version is due: publish.every.ms since the last, or publish.every.batches' worth of examples. */
  boolean publishDue(long examplesSinceParent) {
    if (examplesSinceParent <= 0) {
      return false;
    }
    TrainerSettings.Schedule s = settings.schedule();
    long since = clock.now().toEpochMilli() - lastPublishMs;
    if (since < s.publishMinIntervalMs()) {
      return false;
    }
    return since >= s.publishEveryMs()
        || examplesSinceParent >= (long) s.publishEveryBatches() * settings.network().batchSize();
  }

  void published() {
    lastPublishMs = clock.now().toEpochMilli();
  }

  /** Whether this member holds the publisher's producer. */
  boolean publishing() {
    return publisher != null;
  }

  /**
   * Becomes the publisher: the producer with the model's trainer transactional id, whose
   * {@code initTransactions} fences the previous publisher and aborts what it left open; then reads
   * the topic to its end, so it folds from the newest committed round.
   */
  Producer<String, byte[]> takeOver() {
    Map<String, Object> p = TrainerStart.producerProperties(settings.clientProperties(),
        "streamlearn-trainer-" + model);
    p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "streamlearn-publisher-" + model + "-" + settings.group().member());
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
      // Every contribution with no tombstone after it is pending: a round and its tombstones commit together.
      pending.clear();
      readAt.clear();
      long at = reader.position(rounds, CATCH_UP);
      reader.assign(List.of(rounds, contributions));
      reader.seek(rounds, at);
      reader.seekToBeginning(List.of(contributions));
      catchUp();
      // Who waits for whom in the first round: the members with an update pending.
      heard.clear();
      long now = clock.now().toEpochMilli();
      pending.values().forEach(c -> heard.put(c.member(), now));
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      followRoundsOnly();
      throw e;
    }
    publisher = producer;
    lastPublishMs = clock.now().toEpochMilli();
    log.info("model {}: member {} publishes for the group from round {}", model, settings.group().member(),
        latest == null ? "none (the group's first)" : String.valueOf(latest.round()));
    return producer;
  }

  /** Stops publishing (another member owns partition 0 now): closes the producer. */
  void stepDown() {
    if (publisher != null) {
      log.info("model {}: member {} no longer publishes for the group", model, settings.group().member());
      publisher.close(Duration.ofSeconds(5));
      publisher = null;
      followRoundsOnly();
    }
  }

  private void followRoundsOnly() {
    long at = reader.position(rounds, CATCH_UP);
    reader.assign(List.of(rounds));
    reader.seek(rounds, at);
    pending.clear();
    readAt.clear();
    heard.clear();
    leaving.clear();
  }

  Producer<String, byte[]> publisher() {
    return publisher;
  }

  /** The sync topic's records of a round: the round, then a tombstone per folded contribution. */
  List<ProducerRecord<String, byte[]>> roundRecords(GroupRecords.Round round) {
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    out.add(new ProducerRecord<>(rounds.topic(), rounds.partition(), GroupRecords.roundKey(model),
        GroupRecords.encode(round)));
    for (String key : round.folded()) {
      out.add(new ProducerRecord<>(contributions.topic(), contributions.partition(), key, null));
    }
    return out;
  }

  ProducerRecord<String, byte[]> contributionRecord(GroupRecords.Contribution c) {
    return new ProducerRecord<>(contributions.topic(), contributions.partition(), c.key(), GroupRecords.encode(c));
  }

  /** The ranges of {@code base} and of the contributions, in topic, partition and offset order. */
  static List<OffsetRange> union(List<OffsetRange> base, List<GroupRecords.Contribution> contributions) {
    List<OffsetRange> all = new ArrayList<>(base);
    contributions.forEach(c -> all.addAll(c.ranges()));
    all.sort(Comparator.comparing(OffsetRange::topic).thenComparing(OffsetRange::partition)
        .thenComparingLong(OffsetRange::fromOffset));
    return all;
  }

  @Override
  public void close() {
    stepDown();
    reader.close(Duration.ofSeconds(5));
  }
}
