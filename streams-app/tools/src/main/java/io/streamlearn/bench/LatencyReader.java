package io.streamlearn.bench;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads predictions with {@code read_committed} and records, per prediction, the latency it reports
 * (input timestamp to prediction made) and the latency until a consumer saw it (input timestamp to
 * this poll returning it, which adds the exactly-once commit).
 */
final class LatencyReader implements Runnable {
  private final String bootstrap;
  private final String topic;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
  private final LongSamples reported = new LongSamples();
  private final LongSamples visible = new LongSamples();
  private volatile boolean recording;

  LatencyReader(String bootstrap, String topic) {
    this.bootstrap = bootstrap;
    this.topic = topic;
  }

  @Override
  public void run() {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5), new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      while (!stop.get()) {
        var records = c.poll(Duration.ofMillis(20));
        long now = System.currentTimeMillis();
        if (!recording) {
          continue;
        }
        for (ConsumerRecord<String, byte[]> r : records) {
          reported.add(serde.deserialize(topic, r.value()).getLatencyMicros());
          visible.add((now - r.timestamp()) * 1000);
        }
      }
    }
  }

  /** Starts (or stops) recording; earlier predictions are read and dropped. */
  void recording(boolean on) {
    recording = on;
  }

  void stop() {
    stop.set(true);
  }

  LongSamples reported() {
    return reported;
  }

  LongSamples visible() {
    return visible;
  }
}
