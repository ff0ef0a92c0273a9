package io.streamlearn.demo;

import io.streamlearn.data.Flights;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Replays the Flights records as they are in the file (each object's own JSON bytes, in time
 * order, cycling) to one topic at a steady rate, keyed {@code fl-<n>}: the key is each record's id
 * for the trainer's hold-out and the predictions, unique across laps.
 *
 * <p>From the second lap on, each record's date moves on a year of whole weeks ({@link Flights#onLap}),
 * so a model keyed on the date cannot remember the first lap's days.
 */
final class FlightsReplay implements DemoReplay {
  private final String bootstrap;
  private final String topic;
  private final List<byte[]> records;
  private final int rate;
  private final AtomicLong produced = new AtomicLong();
  private volatile boolean running = true;

  FlightsReplay(String bootstrap, String topic, List<byte[]> records, int rate) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no Flights records to replay");
    }
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.records = records;
    this.rate = rate;
  }

  @Override
  public long produced() {
    return produced.get();
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public void run() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      long started = System.nanoTime();
      long n = 0;
      while (running) {
        long due = started + n * 1_000_000_000L / rate;
        long sleep = due - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
        producer.send(new ProducerRecord<>(topic, "fl-" + n,
            Flights.onLap(records.get((int) (n % records.size())), n / records.size())));
        n++;
        produced.set(n);
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
