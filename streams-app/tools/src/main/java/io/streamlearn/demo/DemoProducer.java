package io.streamlearn.demo;

import io.streamlearn.dashboard.DashboardState;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.Topics;
import java.time.Instant;
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
 * Produces a {@link DemoSource} at a fixed rate: labeled samples as {@code LabeledEvent}s, held-out
 * ones as {@code FeatureEvent}s whose labels it tells the dashboard. Runs until {@link #stop()}.
 */
final class DemoProducer implements DemoReplay {
  private final String bootstrap;
  private final DemoSource source;
  private final int rate;
  private final DashboardState dashboard;
  private final AtomicLong produced = new AtomicLong();
  private volatile boolean running = true;

  DemoProducer(String bootstrap, DemoSource source, int rate, DashboardState dashboard) {
    this.bootstrap = bootstrap;
    this.source = source;
    this.rate = rate;
    this.dashboard = dashboard;
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
    AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
    AvroSerde<FeatureEvent> unlabeled = AvroSerde.of(FeatureEvent.class);
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
        DemoSource.Sample s = source.next();
        String id = "e-" + n;
        List<Float> x = FloatLists.boxed(s.features());
        Instant now = Instant.now();
        ProducerRecord<String, byte[]> record;
        if (s.heldOut()) {
          dashboard.expectLabel(id, s.label());
          record = new ProducerRecord<>(Topics.FEATURES, id,
              unlabeled.serialize(Topics.FEATURES, new FeatureEvent(id, now, x)));
        } else {
          record = new ProducerRecord<>(Topics.LABELED, id,
              labeled.serialize(Topics.LABELED, new LabeledEvent(id, now, x, s.label())));
        }
        producer.send(record);
        n++;
        produced.set(n);
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
