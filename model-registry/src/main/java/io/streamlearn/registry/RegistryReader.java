package io.streamlearn.registry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole registry topic, from the beginning to its current end, into a {@link
 * RegistryState}. Records that do not decode are logged and skipped: a corrupt record never hides
 * the valid ones.
 */
public final class RegistryReader {
  private static final Logger log = LoggerFactory.getLogger(RegistryReader.class);

  private RegistryReader() {}

  /**
   * Materializes the registry.
   *
   * @param clientProperties Kafka client properties (at least {@code bootstrap.servers})
   * @param topic the registry topic
   * @param timeout how long to wait for the broker
   */
  public static RegistryState read(Map<String, Object> clientProperties, String topic,
                                   Duration timeout) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    RegistryState state = new RegistryState();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("registry topic " + topic + " not read to its end within "
              + timeout + "; positions " + partitions.stream().collect(Collectors.toMap(
                  p -> p, consumer::position)) + ", end " + end);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null) {
            log.warn("skipping registry record without key at {}-{}@{}", r.topic(), r.partition(),
                r.offset());
            continue;
          }
          state.apply(r.key(), r.value());
        }
      }
    }
    return state;
  }
}
