package io.streamlearn.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry topic materialized and kept current: a thread consumes it (read_committed) from
 * the beginning into a {@link RegistryState}; readers query the state under its lock and can wait
 * until it has caught up with the topic's end or with a given offset.
 */
final class TopicView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicView.class);

  private final String topic;
  private final Duration timeout;
  private final Runnable onChange;
  private final RegistryState state;
  private final Object lock = new Object();
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaConsumer<String, byte[]> endReader;
  private final Thread tail;
  private volatile boolean running = true;
  private volatile RegistryException failure;

  TopicView(Map<String, Object> clientProperties, String topic, int maxRecordBytes, Duration timeout,
            RegistryCodec codec, Runnable onChange) {
    this.topic = topic;
    this.timeout = timeout;
    this.onChange = onChange;
    this.state = new RegistryState(codec);
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // a missing registry topic must not be auto-created with the broker's defaults (not compacted)
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    // reading to the end means reading past the last commit marker, which arrives with a fetch
    // that has no records: do not let the broker hold such a fetch for the default 500 ms
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.max(1 << 20, maxRecordBytes + (1 << 16)));
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.endReader = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions = partitions(topic, timeout);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      endReader.assign(partitions);
    } catch (KafkaException e) {
      closeClients();
      throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "cannot open registry topic "
          + topic + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeClients();
      throw e;
    }
    this.tail = new Thread(this::follow, "registry-tail-" + topic);
    tail.setDaemon(true);
    tail.start();
  }

  /** The topic's partitions; waits a little for a topic created a moment ago to show in metadata. */
  private List<TopicPartition> partitions(String topic, Duration timeout) {
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Duration.ofSeconds(10).toNanos());
    while (true) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      if (!partitions.isEmpty()) {
        return partitions;
      }
      if (System.nanoTime() > deadline) {
        throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "registry topic " + topic + " does not exist");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "interrupted looking for " + topic, e);
      }
    }
  }

  private void follow() {
    try {
      while (running) {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        consumer.poll(Duration.ofMillis(100)).forEach(batch::add);
        synchronized (lock) {
          for (ConsumerRecord<String, byte[]> r : batch) {
            if (r.key() == null) {
              log.warn("skipping registry record without key at {}-{}@{}", r.topic(), r.partition(), r.offset());
            } else {
              state.apply(r.key(), r.value());
            }
          }
          for (TopicPartition tp : consumer.assignment()) {
            positions.put(tp, consumer.position(tp));
          }
          lock.notifyAll();
        }
        if (!batch.isEmpty()) {
          onChange.run();
        }
      }
    } catch (WakeupException e) {
      fail(new RegistryException(RegistryException.Kind.UNAVAILABLE, "the registry on " + topic + " is closed"));
    } catch (KafkaException | IllegalStateException e) {
      log.error("registry tail of {} failed", topic, e);
      fail(new RegistryException(RegistryException.Kind.UNAVAILABLE,
          "registry topic " + topic + " can no longer be read: " + e.getMessage(), e));
    }
  }

  private void fail(RegistryException e) {
    failure = e;
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** Whether the tail still follows the topic (it stops for good on a failure or on close). */
  boolean following() {
    return running && failure == null && tail.isAlive();
  }

  /** Runs a query on the state under its lock. */
  <T> T read(Function<RegistryState, T> query) {
    synchronized (lock) {
      if (failure != null) {
        throw failure;
      }
      return query.apply(state);
    }
  }

  /** Waits until the state has applied everything committed on the topic now. */
  void sync() {
    Map<TopicPartition, Long> end;
    synchronized (endReader) {
      try {
        end = endReader.endOffsets(endReader.assignment(), timeout);
      } catch (KafkaException e) {
        throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "cannot read the end of "
            + topic + ": " + e.getMessage(), e);
      }
    }
    await(end, "its end " + end);
  }

  /** Waits until the state has applied the partition up to {@code position} (exclusive). */
  void awaitPosition(TopicPartition tp, long position) {
    await(Map.of(tp, position), "its own write at " + tp + "@" + (position - 1));
  }

  private void await(Map<TopicPartition, Long> target, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!target.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
        if (failure != null) {
          throw failure;
        }
        long wait = (deadline - System.nanoTime()) / 1_000_000;
        if (wait <= 0) {
          throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "registry topic " + topic
              + " not read to " + what + " within " + timeout + "; at " + positions);
        }
        try {
          lock.wait(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RegistryException(RegistryException.Kind.UNAVAILABLE, "interrupted reading " + topic, e);
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      tail.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeClients();
  }

  private void closeClients() {
    consumer.close(Duration.ofSeconds(5));
    endReader.close(Duration.ofSeconds(5));
  }
}
