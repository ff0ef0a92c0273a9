package io.streamlearn.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends pre-serialized values at a steady rate (paced every millisecond) until stopped; each record
 * gets a fresh key and the producer's wall-clock timestamp, from which latencies are measured.
 */
final class SteadyProducer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SteadyProducer.class);

  private final String bootstrap;
  private final String topic;
  private final List<byte[]> values;
  private final int perSecond;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong sent = new AtomicLong();

  SteadyProducer(String bootstrap, String topic, List<byte[]> values, int perSecond) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.values = values;
    this.perSecond = perSecond;
  }

  @Override
  public void run() {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0,
        ProducerConfig.ACKS_CONFIG, "1"), new StringSerializer(), new ByteArraySerializer())) {
      long started = System.nanoTime();
      long n = 0;
      while (!stop.get()) {
        long due = (System.nanoTime() - started) * perSecond / 1_000_000_000L;
        while (n < due) {
          producer.send(new ProducerRecord<>(topic, "s-" + n, values.get((int) (n % values.size()))));
          n++;
        }
        sent.set(n);
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } catch (RuntimeException e) {
      log.error("steady producer failed", e);
    }
  }

  void stop() {
    stop.set(true);
  }

  long sent() {
    return sent.get();
  }
}
