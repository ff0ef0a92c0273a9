package io.streamlearn.train;

import io.streamlearn.app.LogContext;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's Kafka transactions: each one commits the consumed offsets with everything the
 * training thread sent in it (checkpoint, metrics, maybe a version), on a committer thread while
 * training goes on. The training thread calls {@link #await()} before it uses the producer again,
 * so at most one transaction is committing and none is written to while it commits. Knows the last
 * committed checkpoint, the one a rollback returns to. Given a direct executor ({@link #inline}),
 * every commit runs on the caller's thread, so what is committed does not depend on timing.
 */
final class Transactions implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Transactions.class);

  private final Producer<String, byte[]> producer;
  private final ConsumerGroupMetadata group;
  private final Executor committer;
  private Future<?> committing;
  private Checkpoint committingCheckpoint;
  private Checkpoint lastGood;
  /** Told on the committing thread each time a transaction has committed; set before the first commit. */
  private volatile Runnable committed = () -> { };

  /**
   * Commits on a committer thread of its own; starts the first transaction ({@code initTransactions}
   * must have been called).
   */
  Transactions(Producer<String, byte[]> producer, ConsumerGroupMetadata group, String model) {
    this(producer, group, Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(LogContext.carrying(r), "streamlearn-committer-" + model);
      t.setDaemon(true);
      return t;
    }));
  }

  private Transactions(Producer<String, byte[]> producer, ConsumerGroupMetadata group, Executor committer) {
    this.producer = producer;
    this.group = group;
    this.committer = committer;
    producer.beginTransaction();
  }

  /** Commits on the caller's thread. */
  static Transactions inline(Producer<String, byte[]> producer, ConsumerGroupMetadata group) {
    return new Transactions(producer, group, Runnable::run);
  }

  /**
   * Commits the open transaction with these offsets, which leaves {@code checkpoint} the last good
   * one. With {@code beginNext} the commit runs on the committer thread and the next transaction
   * begins after it; otherwise (the last one) it runs here. {@code announcement} is logged once
   * committed.
   */
  void commit(Map<TopicPartition, OffsetAndMetadata> offsets, Checkpoint checkpoint, Announcement announcement,
              boolean beginNext) {
    await();
    committingCheckpoint = checkpoint;
    if (beginNext) {
      committing = CompletableFuture.runAsync(() -> {
        commitNow(offsets, announcement);
        producer.beginTransaction();
      }, committer);
    } else {
      commitNow(offsets, announcement);
      lastGood = checkpoint;
    }
  }

  private void commitNow(Map<TopicPartition, OffsetAndMetadata> offsets, Announcement announcement) {
    producer.sendOffsetsToTransaction(offsets, group);
    producer.commitTransaction();
    committed.run();
    if (announcement != null) {
      log.atInfo().addKeyValue(LogContext.VERSION, announcement.version()).log("{}", announcement.message());
    }
  }

  /** The log line of a version a transaction publishes, with the version as a field of its own. */
  record Announcement(long version, String message) {
    Announcement {
      if (version < 1 || message == null) {
        throw new IllegalArgumentException("version must be >= 1 and message set, found " + version + " and "
            + message);
      }
    }
  }

  /**
   * Runs {@code listener} on the committing thread (the committer's, or the caller's for the last
   * one) right after each transaction commits: the moment the checkpoint is durable.
   */
  void onCommitted(Runnable listener) {
    this.committed = Objects.requireNonNull(listener, "listener");
  }

  /** Waits for the transaction on the committer thread, if any; the producer is this thread's again. */
  void await() {
    if (committing == null) {
      return;
    }
    try {
      committing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r; // e.g. fenced by a newer instance: this trainer must stop
      }
      throw new KafkaException("committing the trainer's transaction failed", e.getCause());
    }
    committing = null;
    lastGood = committingCheckpoint;
  }

  /**
   * A group member's commit, on the caller's thread: the open transaction with these offsets under
   * {@code group} (the consumer's generation as of its last poll or rebalance, which fences a member
   * the group has moved on from), then the next transaction begins.
   *
   * @return false when the group refused the offsets (a rebalance came between: the generation is
   *     stale): the transaction is aborted and the next begun; nothing of it is visible
   * @throws org.apache.kafka.common.KafkaException when the producer is fenced or fails otherwise
   */
  boolean commitInGroup(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group,
                        Checkpoint checkpoint) {
    await();
    try {
      producer.sendOffsetsToTransaction(offsets, group);
      producer.commitTransaction();
    } catch (CommitFailedException | RebalanceInProgressException | IllegalGenerationException
             | UnknownMemberIdException | FencedInstanceIdException e) {
      log.info("the group refused this member's offsets ({}): its transaction is aborted", e.toString());
      producer.abortTransaction();
      producer.beginTransaction();
      return false;
    }
    committed.run();
    if (checkpoint != null) {
      lastGood = checkpoint;
    }
    producer.beginTransaction();
    return true;
  }

  /**
   * A group member's last act: ends the transaction {@link #commitInGroup} began (with nothing in
   * it), so that closing the producer does not wait out an open one.
   */
  void endOpen() {
    await();
    producer.abortTransaction();
  }

  /** Discards the open transaction (after the one committing, if any) and begins the next. */
  void abort() {
    await(); // a transaction committing now holds the checkpoint to go back to
    producer.abortTransaction();
    producer.beginTransaction();
  }

  /** The last committed checkpoint, or the one set at start. */
  Checkpoint lastGood() {
    return lastGood;
  }

  /** The checkpoint read at start, before any commit. */
  void startFrom(Checkpoint checkpoint) {
    lastGood = checkpoint;
  }

  /** Lets a committing transaction finish and stops the committer thread. */
  @Override
  public void close() {
    if (committer instanceof ExecutorService service) {
      service.shutdown();
    }
  }
}
