package io.streamlearn.testkit.trainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's {@link MockConsumer} reading an {@link InputLog}: each poll returns every record from
 * each assigned partition's position on, in partition order, so a seek back reads records again
 * (MockConsumer forgets what it has returned). Positions start at the beginning, as the trainer's
 * {@code auto.offset.reset=earliest} does. Its lag is the log's end minus the position, as a
 * real consumer learns it from its fetch responses.
 */
final class LogConsumer extends MockConsumer<String, byte[]> {
  private static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);
  private final InputLog log;

  LogConsumer(InputLog log) {
    super("earliest");
    this.log = log;
    Node node = new Node(0, "localhost", 9092);
    Map<TopicPartition, Long> beginnings = new HashMap<>();
    log.topics().forEach((topic, count) -> {
      List<PartitionInfo> infos = new ArrayList<>();
      for (int p = 0; p < count; p++) {
        infos.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
        beginnings.put(new TopicPartition(topic, p), 0L);
      }
      updatePartitions(topic, infos);
    });
    updateBeginningOffsets(beginnings);
  }

  @Override
  public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
    Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> out = new LinkedHashMap<>();
    for (TopicPartition tp : assignment().stream().sorted(ORDER).toList()) {
      long from = position(tp);
      List<ConsumerRecord<String, byte[]>> records = log.from(tp, from);
      if (!records.isEmpty()) {
        out.put(tp, records);
        seek(tp, from + records.size());
      }
    }
    return new ConsumerRecords<>(out, Map.of());
  }

  @Override
  public synchronized OptionalLong currentLag(TopicPartition tp) {
    return OptionalLong.of(log.size(tp) - position(tp));
  }
}
