package io.streamlearn.demo;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A {@link DemoReplay} that sends its n-th record at {@code n / rate} seconds after it started (so a
 * slow send is caught up, not lost to the rate) until {@link #stop()}; a subclass says what the n-th
 * record is.
 */
abstract class PacedReplay implements DemoReplay {
  private final String bootstrap;
  private final int rate;
  private final AtomicLong produced = new AtomicLong();
  private volatile boolean running = true;

  PacedReplay(String bootstrap, int rate) {
    this.bootstrap = bootstrap;
    this.rate = rate;
  }

  /** The {@code n}-th record to send (from 0). */
  abstract ProducerRecord<String, byte[]> record(long n);

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
        producer.send(record(n));
        n++;
        produced.set(n);
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
