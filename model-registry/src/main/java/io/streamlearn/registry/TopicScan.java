package io.streamlearn.registry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic once, from the beginning of every partition to the end it has when the scan
 * starts, committed records only ({@code read_committed}), without a consumer group: how a
 * compacted topic (the registry, a checkpoint topic) is materialized on start.
 */
public final class TopicScan {
  private TopicScan() {}

  /**
   * Hands every record up to the topic's current committed end to {@code each}, in offset order
   * per partition.
   *
   * @param clientProperties Kafka client properties (at least {@code bootstrap.servers})
   * @throws IllegalStateException when the end is not reached within {@code timeout}
   */
  public static void readToEnd(Map<String, Object> clientProperties, String topic, Duration timeout,
                               Consumer<ConsumerRecord<String, byte[]>> each) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
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
          throw new IllegalStateException("topic " + topic + " not read to its end within " + timeout
              + "; positions " + partitions.stream().collect(Collectors.toMap(p -> p, consumer::position))
              + ", end " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }
}
