package io.streamlearn.train;

import io.streamlearn.app.LogContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's consumer thread: polls the input partitions and turns their records into
 * {@link Chunk}s while the training thread trains on the previous ones. Well-formed
 * {@code LabeledEvent}s of the configured network go straight from their bytes into the chunk's
 * batch or held-out rows ({@link LabeledRowDecoder}); every other record is passed on as it is, in
 * order, for the trainer's general path (which names dead-letter reasons and joins delayed labels).
 *
 * <p>At most {@link #CHUNKS} chunks exist (fewer when that would hold more than
 * {@link #BUFFER_BYTES} of rows), so the poller runs at most that many batches ahead of the
 * training thread. A partly filled chunk is handed over when a poll returns nothing or when it
 * has waited {@code maxWait}. After a rollback the training thread calls {@link #rewind}: the poller
 * seeks to the checkpoint's offsets, and chunks of the older epoch are dropped.
 *
 * <p>After each poll it notes every input partition's lag, the records after the consumer's
 * position ({@link Consumer#currentLag}: from the fetch responses, no request of its own), and it
 * counts the records handed over and not yet recycled, so the trainer's gauges and readiness read
 * how much input waits from any thread without touching the consumer.
 *
 * <p>The consumer is used by this thread alone between {@link #start()} and {@link #close()}. An
 * {@link #inline} poller has no thread: the training thread calls {@link #pollNow()} and takes the
 * chunks at once, so a test's results do not depend on timing.
 */
public final class Poller implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);
  /** Chunks in circulation: the one being filled, those queued and the one being trained. */
  static final int CHUNKS = 32;
  /** Feature rows in circulation at most, in bytes (a chunk holds a batch and as many held-out rows). */
  static final long BUFFER_BYTES = 64L << 20;
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long WAIT_SLICE_MS = 50;
  private static final long ENDS_EVERY_NANOS = Duration.ofMillis(200).toNanos();

  /** How the fast path decodes: the network's input and output sizes and the trainer's batch size. */
  record Layout(int features, int outputs, int classes, int batchSize, double holdoutFraction) {}

  /** Seek positions and the records to leave to the general path (to be dead-lettered) after a rollback. */
  private record Rewind(long epoch, Map<TopicPartition, Long> positions, Map<TopicPartition, Set<Long>> poisoned) {}

  private final Consumer<String, byte[]> consumer;
  private final String labeledTopic;
  private final long maxWaitNanos;
  private final int maxRaw;
  /** Guards {@link #inUse}: chunks taken from the pool and not yet recycled. */
  private final Object slots = new Object();
  private int inUse;
  private volatile int limit = CHUNKS;
  private final BlockingQueue<Chunk> ready = new LinkedBlockingQueue<>();
  private final ArrayDeque<Chunk> free = new ArrayDeque<>();
  private final AtomicReference<Rewind> rewind = new AtomicReference<>();
  /** Orders a rewind's posting, patching ({@link #takeAssigned()}) and applying. */
  private final Object rewindLock = new Object();
  /** Null for an inline poller. */
  private final Thread thread;
  private volatile Layout layout;
  /** Over the users' own records: decodes a labeled-topic value on the poller thread; else null. */
  private volatile Function<byte[], Object> rawDecoder;
  private volatile boolean closed;
  /** {@code max.lag}: 0 trains on everything. */
  private volatile long maxLag;
  private volatile Throwable failure;
  /** Per assigned partition, records after the consumer's position; -1 until the consumer knows. */
  private final Map<TopicPartition, AtomicLong> lags = new ConcurrentSkipListMap<>(
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
  /**
   * A group member's: partitions the consumer group assigned, with the offset each starts at (its
   * committed offset), not yet taken by the training thread ({@link #takeAssigned()}).
   */
  private final Map<TopicPartition, Long> assigned = new ConcurrentHashMap<>();
  /** A group member's: partitions the group takes away, waiting for the training thread to let go. */
  private final AtomicReference<Revocation> revocation = new AtomicReference<>();
  /** The consumer's group metadata as of its last poll or rebalance (a group member commits with it). */
  private volatile ConsumerGroupMetadata groupMetadata;
  /** A group member's: whether it owns partition 0 of the labeled topic (which makes it the publisher). */
  private volatile boolean ownsFirstPartition;
  /** Records in chunks handed over and not yet recycled. */
  private final AtomicLong queuedRecords = new AtomicLong();

  // Owned by the poller thread.
  private LabeledRowDecoder decoder;
  private Layout decoderLayout;
  private Chunk current;
  private long epoch;
  private Map<TopicPartition, Set<Long>> poisoned = Map.of();
  /** Records of the last poll not yet added to a chunk: with the lags, the backlog behind a new chunk. */
  private long pollRemaining;
  /**
   * With {@code max.lag}, on the poller thread: the input partitions' end offsets (the last stable
   * ones: the consumer reads committed records), asked of the broker every {@link #ENDS_EVERY_NANOS}.
   * The consumer's own lag is as of the fetch that filled its buffer, and with a buffer of megabytes
   * it can lag the log by tens of thousands of records.
   */
  private Map<TopicPartition, Long> ends;
  private long endsAskedNanos;

  /**
   * @param maxWait how long a partly filled chunk may wait for more records before it is handed over
   * @param maxRaw records for the general path per chunk at most
   */
  Poller(Consumer<String, byte[]> consumer, String labeledTopic, String name, Duration maxWait, int maxRaw) {
    this.consumer = consumer;
    this.labeledTopic = labeledTopic;
    this.maxWaitNanos = maxWait.toNanos();
    this.maxRaw = maxRaw;
    for (TopicPartition tp : consumer.assignment()) { // the trainer assigns before it makes the poller
      lags.put(tp, new AtomicLong(-1));
    }
    this.groupMetadata = consumer.groupMetadata();
    if (name == null) {
      this.thread = null;
      this.limit = Integer.MAX_VALUE; // the caller takes every chunk before it polls again
    } else {
      this.thread = new Thread(LogContext.carrying(this), name);
      this.thread.setDaemon(true);
    }
  }

  /** A poller without a thread of its own: see {@link #pollNow()}. */
  static Poller inline(Consumer<String, byte[]> consumer, String labeledTopic, int maxRaw) {
    return new Poller(consumer, labeledTopic, null, Duration.ZERO, maxRaw);
  }

  /**
   * Inline only: applies a pending rewind, polls once on the caller's thread and hands over every
   * record read, the last chunk partly filled; take them with {@link #nextReady()}.
   *
   * @return the records read
   */
  int pollNow() throws InterruptedException {
    applyRewind();
    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ZERO);
    noteLags();
    pollRemaining = records.count();
    for (ConsumerRecord<String, byte[]> r : records) {
      add(r);
    }
    if (current != null && current.records > 0) {
      handOver();
    }
    return records.count();
  }

  /** The next chunk handed over, or null for none; does not wait. */
  Chunk nextReady() {
    return ready.poll();
  }

  /**
   * The trainer's consumer settings: read committed, offsets committed only in its transactions,
   * and fetches sized for a high-throughput stream of kilobyte records (the user's own Kafka
   * properties win).
   */
  public static Map<String, Object> consumerProperties(Map<String, Object> clientProps, String groupId) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    // Kafka's defaults (1 MiB per partition and fetch, a 64 KiB socket buffer) cap one consumer at
    // ~300k records/s of 3 KB here; these double it.
    p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
    p.putIfAbsent(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1); // the OS's auto-tuned size
    return p;
  }

  void start() {
    thread.start();
  }

  /**
   * Over the users' own records: decode each labeled-topic value here, on the poller thread, so the
   * training thread only learns and trains (set before {@link #start()}).
   *
   * @param decoder returns the decoded record, or the exception that refused it
   */
  void decodeRaw(Function<byte[], Object> decoder) {
    this.rawDecoder = decoder;
  }

  /**
   * Bounds the staleness: while more than {@code maxLag} records wait behind a chunk, its events
   * are sampled ({@link LagSampling}); 0 (off) trains on everything.
   */
  void boundLag(long maxLag) {
    this.maxLag = maxLag;
  }

  /**
   * Partitions the group takes from a member: {@link #revoked()} (the group can give them to another
   * member once the trainer has committed what it trained of them, or, {@code lost}, discarded it)
   * and the group metadata to commit with. The poller thread waits in the rebalance callback until
   * the training thread calls {@link #done()}.
   */
  static final class Revocation {
    private final Set<TopicPartition> partitions;
    private final boolean lost;
    private final ConsumerGroupMetadata group;
    private final CountDownLatch done = new CountDownLatch(1);

    Revocation(Set<TopicPartition> partitions, boolean lost, ConsumerGroupMetadata group) {
      this.partitions = Set.copyOf(partitions);
      this.lost = lost;
      this.group = group;
    }

    Set<TopicPartition> revoked() {
      return partitions;
    }

    /** The session expired: another member may own them already; nothing of them may be committed. */
    boolean lost() {
      return lost;
    }

    ConsumerGroupMetadata group() {
      return group;
    }

    /** The training thread has let go of the partitions: the callback returns. */
    void done() {
      done.countDown();
    }
  }

  /**
   * A group member's consumer: subscribes to {@code topics} with a listener that tells the training
   * thread what the group assigns ({@link #takeAssigned()}) and takes away ({@link #revocation()}).
   * Call before {@link #start()}; the consumer's group protocol must be cooperative.
   */
  void subscribe(Collection<String> topics) {
    consumer.subscribe(topics, new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        groupMetadata = consumer.groupMetadata();
        for (TopicPartition tp : partitions) {
          // The committed offset: the previous owner's last transaction (the consumer waits for an
          // open one to end, within its transaction timeout) or the reset position.
          long start = consumer.position(tp, Duration.ofSeconds(60));
          lags.putIfAbsent(tp, new AtomicLong(-1));
          assigned.put(tp, start);
        }
        ownsFirstPartition = consumer.assignment().contains(new TopicPartition(labeledTopic, 0));
        if (!partitions.isEmpty()) {
          log.info("the group assigned {} (starting at {}); this member now reads {}", partitions,
              startsOf(partitions), consumer.assignment());
        }
      }

      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        letGo(partitions, false);
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        letGo(partitions, true);
      }
    });
  }

  private Map<TopicPartition, Long> startsOf(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> starts = new HashMap<>();
    for (TopicPartition tp : partitions) {
      starts.put(tp, assigned.get(tp));
    }
    return starts;
  }

  /** In a rebalance callback: waits until the training thread has let go of {@code partitions}. */
  private void letGo(Collection<TopicPartition> partitions, boolean lost) {
    if (partitions.isEmpty()) {
      return;
    }
    groupMetadata = consumer.groupMetadata();
    Revocation r = new Revocation(Set.copyOf(partitions), lost, groupMetadata);
    log.info("the group {} {}; the trainer lets go of them", lost ? "lost" : "takes away", partitions);
    revocation.set(r);
    try {
      while (!r.done.await(WAIT_SLICE_MS, TimeUnit.MILLISECONDS)) {
        if (closed) {
          return; // the trainer stops: it commits nothing more
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    partitions.forEach(tp -> {
      lags.remove(tp);
      assigned.remove(tp);
    });
    if (ends != null) {
      partitions.forEach(ends::remove); // backlog() asks the consumer for their positions
    }
    ownsFirstPartition = consumer.assignment().stream().filter(tp -> !partitions.contains(tp))
        .anyMatch(tp -> tp.topic().equals(labeledTopic) && tp.partition() == 0);
  }

  /**
   * Training thread: the partitions assigned since the last call, with the offset each starts at;
   * call before taking a chunk, which may hold their records.
   */
  Map<TopicPartition, Long> takeAssigned() {
    if (assigned.isEmpty()) {
      return Map.of();
    }
    synchronized (rewindLock) {
      Map<TopicPartition, Long> taken = new HashMap<>();
      for (TopicPartition tp : List.copyOf(assigned.keySet())) {
        Long start = assigned.remove(tp);
        if (start != null) {
          taken.put(tp, start);
        }
      }
      // A rewind the trainer asked for before it knew these partitions re-reads them from their start
      // too: chunks it drops may hold their records.
      Rewind pending = rewind.get();
      if (pending != null && !taken.isEmpty()) {
        Map<TopicPartition, Long> positions = new HashMap<>(taken);
        positions.putAll(pending.positions());
        rewind.set(new Rewind(pending.epoch(), Map.copyOf(positions), pending.poisoned()));
      }
      return taken;
    }
  }

  /** Training thread: the pending revocation, if any; call {@link Revocation#done()} once handled. */
  Revocation revocation() {
    return revocation.getAndSet(null);
  }

  /** The consumer's group metadata as of its last poll or rebalance; safe from any thread. */
  ConsumerGroupMetadata groupMetadata() {
    return groupMetadata;
  }

  /** A group member's: whether it owns partition 0 of the labeled topic; safe from any thread. */
  boolean ownsFirstPartition() {
    return ownsFirstPartition;
  }

  /** Enables the fast path once the trainer knows its network; chunks from now on carry batches. */
  void configure(Layout layout) {
    if (thread != null) {
      this.limit = chunksFor(layout);
    }
    this.layout = layout;
  }

  /** Chunks in circulation for this layout: {@link #CHUNKS}, fewer for big rows, never less than 2. */
  static int chunksFor(Layout layout) {
    long chunkBytes = 2L * layout.batchSize() * layout.features() * Float.BYTES;
    return (int) Math.max(2, Math.min(CHUNKS, BUFFER_BYTES / chunkBytes));
  }

  /**
   * The next chunk, or null if none came within {@code timeout}.
   *
   * @throws KafkaException (or another runtime exception) when the poller thread failed
   */
  Chunk next(Duration timeout) throws InterruptedException {
    Chunk chunk = ready.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (chunk == null) {
      rethrowFailure();
    }
    return chunk;
  }

  /** Gives a chunk taken with {@link #next} back; it may be filled again. */
  void recycle(Chunk chunk) {
    queuedRecords.addAndGet(-chunk.records);
    chunk.clear();
    synchronized (slots) {
      free.add(chunk);
      inUse--;
      slots.notifyAll();
    }
  }

  /**
   * Seeks every partition to {@code positions} (a checkpoint's) and tags what is read from now on
   * with {@code epoch}; records at {@code poisoned} offsets are left to the general path.
   */
  void rewind(long epoch, Map<TopicPartition, Long> positions, Map<TopicPartition, Set<Long>> poisoned) {
    Map<TopicPartition, Set<Long>> copy = new HashMap<>();
    poisoned.forEach((tp, offsets) -> copy.put(tp, Set.copyOf(offsets)));
    synchronized (rewindLock) {
      rewind.set(new Rewind(epoch, Map.copyOf(positions), copy));
    }
  }

  /** The input partitions, in topic and partition order. */
  Set<TopicPartition> partitions() {
    return lags.keySet();
  }

  /**
   * Records of {@code tp} after the consumer's position as of the last poll (up to the last stable
   * offset: the consumer reads committed records only), or -1 while the consumer does not know.
   * Safe from any thread.
   */
  long lag(TopicPartition tp) {
    AtomicLong lag = lags.get(tp);
    return lag == null ? -1 : lag.get();
  }

  /** Records read and handed over to the training thread but not yet taken; safe from any thread. */
  long queuedRecords() {
    return queuedRecords.get();
  }

  /** Stops the thread and waits for it; the consumer is then free for the caller to close. */
  void close() throws InterruptedException {
    closed = true;
    consumer.wakeup();
    thread.join(Duration.ofSeconds(30).toMillis());
    if (thread.isAlive()) {
      log.warn("the trainer's poller thread did not stop within 30 s");
    }
  }

  /**
   * After {@link #close()}: the chunks read but not taken, the partly filled one last, so a trainer
   * that stops trains on everything its consumer has read.
   */
  List<Chunk> drain() {
    List<Chunk> rest = new ArrayList<>();
    ready.drainTo(rest);
    if (current != null && current.records > 0) {
      rest.add(current);
      current = null;
    }
    return rest;
  }

  @Override
  public void run() {
    try {
      while (!closed) {
        applyRewind();
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        groupMetadata = consumer.groupMetadata();
        noteLags();
        askEnds();
        if (rewind.get() != null) {
          continue; // read before the rollback: the seek re-reads them
        }
        boolean complete = true;
        pollRemaining = records.count();
        for (ConsumerRecord<String, byte[]> r : records) {
          if (!add(r)) {
            complete = false;
            break;
          }
        }
        if (complete && current != null && current.records > 0
            && (records.isEmpty() || System.nanoTime() - current.openedNanos >= maxWaitNanos)) {
          handOver();
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        failure = e;
      }
    } catch (Throwable t) {
      log.error("the trainer's poller failed", t);
      failure = t;
    }
  }

  /** Per poll, not per record: a lookup of what the last fetch responses said per partition. */
  private void noteLags() {
    for (Map.Entry<TopicPartition, AtomicLong> e : lags.entrySet()) {
      OptionalLong lag = consumer.currentLag(e.getKey());
      if (lag.isPresent()) {
        e.getValue().set(lag.getAsLong());
      }
    }
  }

  private void applyRewind() {
    if (rewind.get() == null) {
      return;
    }
    Rewind r;
    synchronized (rewindLock) {
      r = rewind.getAndSet(null);
      Set<TopicPartition> owned = consumer.assignment();
      r.positions().forEach((tp, offset) -> {
        if (owned.contains(tp)) { // a group member's partition may have been taken away since
          consumer.seek(tp, offset);
        }
      });
      // A group member's partitions the trainer has not taken yet: nothing of them is trained, and
      // what of them the dropped chunks hold is read again from their start.
      assigned.forEach((tp, start) -> {
        if (!r.positions().containsKey(tp) && owned.contains(tp)) {
          consumer.seek(tp, start);
        }
      });
    }
    epoch = r.epoch();
    poisoned = r.poisoned();
    if (current != null) {
      current.clear();
      current.epoch = epoch;
    }
  }

  /** Adds one record to the current chunk; false when a rewind or close came first (drop the poll). */
  private boolean add(ConsumerRecord<String, byte[]> r) throws InterruptedException {
    if (current == null && !open()) {
      return false;
    }
    Chunk c = current;
    if (c.records == 0) {
      c.openedNanos = System.nanoTime();
    }
    pollRemaining--;
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    if (!fastPath(c, tp, r)) {
      c.raw.add(r);
      Function<byte[], Object> d = rawDecoder;
      c.decoded.add(d != null && r.topic().equals(labeledTopic) ? d.apply(r.value()) : null);
    }
    c.records++;
    c.next.put(tp, r.offset() + 1);
    if (c.isFull(maxRaw)) {
      handOver();
    }
    return true;
  }

  private boolean fastPath(Chunk c, TopicPartition tp, ConsumerRecord<String, byte[]> r) {
    if (c.train == null || !r.topic().equals(labeledTopic) || isPoisoned(tp, r.offset())
        || !decoder.parse(r.value())) {
      return false;
    }
    if (decoder.heldOut(decoderLayout.holdoutFraction())) {
      if (!decoder.copyFeatures(c.heldX, c.held * decoderLayout.features())) {
        return false;
      }
      c.heldY[c.held++] = decoder.label();
    } else if (!decoder.sampledIn(c.rate)) {
      // Consumed, not trained on. Its features are checked (into the batch's next row, left
      // uncommitted) so that a bad record is dead-lettered whether or not the sample keeps it.
      Batch b = c.train;
      if (!decoder.copyFeatures(b.x, b.rows * b.features)) {
        return false;
      }
      c.skipped.merge(tp, 1L, Long::sum);
    } else {
      Batch b = c.train;
      if (!decoder.copyFeatures(b.x, b.rows * b.features)) {
        return false; // the row is not committed; the general path names the bad feature
      }
      b.commitRow(decoder.label(), tp, r.offset());
    }
    c.fast++;
    return true;
  }

  private boolean isPoisoned(TopicPartition tp, long offset) {
    Set<Long> bad = poisoned.get(tp);
    return bad != null && bad.contains(offset);
  }

  /** Takes a free chunk (waiting while the training thread is that far behind); false on rewind or close. */
  private boolean open() throws InterruptedException {
    Chunk c;
    synchronized (slots) {
      while (inUse >= limit) {
        if (closed || rewind.get() != null) {
          return false;
        }
        slots.wait(WAIT_SLICE_MS);
      }
      inUse++;
      c = free.poll();
    }
    Layout l = layout;
    if (c == null || (c.train == null && l != null)) {
      c = new Chunk(l); // the first chunks, and those made before the layout was known, are replaced
    }
    if (l != null && decoderLayout != l) {
      decoderLayout = l;
      decoder = new LabeledRowDecoder(l.features(), l.classes());
    }
    c.epoch = epoch;
    c.rate = LagSampling.rate(maxLag, backlog());
    current = c;
    return true;
  }

  /**
   * The records behind the next one to read: what is left of the last poll and, per partition, the
   * records after the consumer's position: to the end offsets last asked for (a poller thread with
   * {@code max.lag}), else the consumer's own lag (an inline poller, whose consumer has no buffer).
   */
  private long backlog() {
    long backlog = Math.max(0, pollRemaining);
    if (ends != null) {
      for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
        backlog += Math.max(0, e.getValue() - consumer.position(e.getKey()));
      }
      return backlog;
    }
    for (AtomicLong lag : lags.values()) {
      backlog += Math.max(0, lag.get());
    }
    return backlog;
  }

  /** Poller thread with {@code max.lag} only: refreshes {@link #ends} when due. */
  private void askEnds() {
    if (maxLag <= 0 || System.nanoTime() - endsAskedNanos < ENDS_EVERY_NANOS) {
      return;
    }
    endsAskedNanos = System.nanoTime();
    try {
      ends = new HashMap<>(consumer.endOffsets(lags.keySet(), Duration.ofSeconds(5)));
    } catch (WakeupException e) {
      throw e; // close() wakes the consumer up: stop, as after a poll
    } catch (KafkaException e) {
      // the last ends answered stay: a rate from an older end is a rate from a smaller backlog
      log.debug("the trainer's poller could not read the input's end offsets: {}", e.toString());
    }
  }

  private void handOver() {
    queuedRecords.addAndGet(current.records);
    ready.add(current);
    current = null;
  }

  private void rethrowFailure() {
    Throwable t = failure;
    if (t == null) {
      return;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new KafkaException("the trainer's poller failed", t);
  }
}
