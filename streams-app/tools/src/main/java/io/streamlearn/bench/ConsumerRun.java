package io.streamlearn.bench;

import io.streamlearn.train.Poller;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The trainer benches' reference: a plain consumer with the trainer's own consumer settings reading a
 * pre-filled topic from the start, the clock started at its first record as the trainer's is.
 *
 * @param count records read
 * @param sum what {@code perRecord} gave, summed (bytes, features: something the JIT cannot drop)
 * @param firstNanos {@link System#nanoTime()} at the first record
 */
record ConsumerRun(long count, long sum, long firstNanos) {

  /** Reads {@code events} records of {@code topic} (at most 10 minutes), applying {@code perRecord} to each value. */
  static ConsumerRun read(String servers, String topic, int events, ToLongFunction<byte[]> perRecord) {
    Map<String, Object> props = Poller.consumerProperties(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers), "bench-raw-consumer");
    long count = 0;
    long sum = 0;
    long first = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (count < events && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (first == 0) {
            first = System.nanoTime();
          }
          sum += perRecord.applyAsLong(r.value());
          count++;
        }
      }
    }
    return new ConsumerRun(count, sum, first);
  }

  /** The sum per record, e.g. bytes per record. */
  long perRecord() {
    return sum / Math.max(1, count);
  }
}
