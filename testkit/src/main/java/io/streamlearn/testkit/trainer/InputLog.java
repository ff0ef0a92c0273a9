package io.streamlearn.testkit.trainer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * The input topics of a {@link TrainerTestDriver}: every record ever piped, by partition, at the
 * offset that is its index, so a consumer can seek back and read them again (as a rollback does).
 * A record without a partition goes where Kafka's default partitioner would put its key.
 */
final class InputLog {
  private final Map<String, Integer> partitions = new LinkedHashMap<>();
  private final Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> records = new LinkedHashMap<>();

  /** Declares a topic of {@code count} partitions. */
  void topic(String topic, int count) {
    partitions.putIfAbsent(topic, count);
  }

  Map<String, Integer> topics() {
    return partitions;
  }

  /** Appends a record; a null {@code partition} is chosen from the key. Returns where it went. */
  TopicPartition append(String topic, Integer partition, String key, byte[] value) {
    Integer count = partitions.get(topic);
    if (count == null) {
      throw new IllegalArgumentException("the trainer reads no topic '" + topic + "'; it reads " + partitions.keySet());
    }
    int p = partition != null ? partition
        : key == null ? 0 : Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % count;
    if (p < 0 || p >= count) {
      throw new IllegalArgumentException("topic '" + topic + "' has partitions 0 to " + (count - 1) + ", found " + p);
    }
    TopicPartition tp = new TopicPartition(topic, p);
    List<ConsumerRecord<String, byte[]>> log = records.computeIfAbsent(tp, k -> new ArrayList<>());
    log.add(new ConsumerRecord<>(topic, p, log.size(), key, value));
    return tp;
  }

  /** The end offset of a partition: the records piped to it. */
  long size(TopicPartition tp) {
    return records.getOrDefault(tp, List.of()).size();
  }

  /** The records of a partition from {@code offset} on. */
  List<ConsumerRecord<String, byte[]>> from(TopicPartition tp, long offset) {
    List<ConsumerRecord<String, byte[]>> log = records.getOrDefault(tp, List.of());
    return offset >= log.size() ? List.of() : List.copyOf(log.subList((int) offset, log.size()));
  }
}
