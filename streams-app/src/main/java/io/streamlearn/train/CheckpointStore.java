package io.streamlearn.train;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the newest committed checkpoint of a model from the compacted checkpoint topic. Must be
 * called after the trainer's transactional producer has been initialised, which aborts a
 * transaction a killed predecessor left open, so the topic's committed end is reachable.
 */
final class CheckpointStore {
  private CheckpointStore() {}

  /**
   * The newest checkpoint of {@code model}, if any.
   *
   * @throws IllegalStateException when the newest checkpoint does not decode (resuming from an
   *     older one would train examples twice, so the trainer refuses to start)
   */
  static Optional<Checkpoint> latest(Map<String, Object> clientProps, String topic, String model,
                                     Duration timeout) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    byte[] newest = null;
    long newestOffset = -1;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("checkpoint topic " + topic + " not read to its end within " + timeout);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (model.equals(r.key())) {
            newest = r.value();
            newestOffset = r.offset();
          }
        }
      }
    }
    if (newest == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(CheckpointCodec.decode(newest));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the newest checkpoint of model " + model + " (" + topic + "@"
          + newestOffset + ") does not decode: " + e.getMessage()
          + "; delete it (a tombstone for key " + model + ") to start over from the registry", e);
    }
  }
}
