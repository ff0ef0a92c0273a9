package io.streamlearn.it;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.testkit.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the committed training history (TrainingEvent records) of a metrics topic as it grows. */
final class TrainingHistory implements AutoCloseable {
  private final AvroSerde<TrainingEvent> serde = AvroSerde.of(TrainingEvent.class);
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<TrainingEvent> events = new ArrayList<>();

  TrainingHistory(EmbeddedKafka kafka, String topic) {
    consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "it-history-" + UUID.randomUUID(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
  }

  /** Polls once; returns the records read this time (all are also kept in {@link #all()}). */
  List<TrainingEvent> poll() {
    List<TrainingEvent> fresh = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      fresh.add(serde.deserialize(r.topic(), r.value()));
    }
    events.addAll(fresh);
    return fresh;
  }

  /** Every record read so far, in topic order. */
  List<TrainingEvent> all() {
    return events;
  }

  long maxExamplesSeen() {
    return events.stream().mapToLong(TrainingEvent::getExamplesSeen).max().orElse(0);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
