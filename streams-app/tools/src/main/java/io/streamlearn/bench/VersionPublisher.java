package io.streamlearn.bench;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes versions to a registry topic and moves an alias to each, as the trainer does, and
 * says when: the wall-clock time just before the records were sent and when the broker acknowledged
 * the alias move.
 */
public final class VersionPublisher implements AutoCloseable {
  /**
   * One publication.
   *
   * @param version the version the alias now names
   * @param sentAtMillis just before the version and alias records were sent
   * @param ackedAtMillis when the broker had acknowledged the alias move
   */
  public record Published(long version, long sentAtMillis, long ackedAtMillis) {
    /** Validates. */
    public Published {
      if (ackedAtMillis < sentAtMillis) {
        throw new IllegalArgumentException("ackedAtMillis " + ackedAtMillis + " before sentAtMillis " + sentAtMillis);
      }
    }
  }

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final RegistryCodec codec = new RegistryCodec();

  /** A publisher to {@code registryTopic}. */
  public VersionPublisher(String bootstrapServers, String registryTopic) {
    this.topic = registryTopic;
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaSupport.MAX_MODEL_BYTES);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /** Publishes {@code v} and moves {@code alias} to it; returns once both are acknowledged. */
  public Published publish(ModelVersion v, String alias) throws InterruptedException {
    byte[] version = codec.encode(v);
    AliasMove move = new AliasMove(v.name(), alias, v.version(), Instant.now(), "bench", "publish",
        v.parentVersion());
    byte[] aliasBytes = codec.encode(move);
    long sent = System.currentTimeMillis();
    producer.send(new ProducerRecord<>(topic, v.key(), version));
    try {
      producer.send(new ProducerRecord<>(topic, move.key(), aliasBytes)).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish " + v.key() + ": " + e.getCause(), e.getCause());
    }
    return new Published(v.version(), sent, System.currentTimeMillis());
  }

  @Override
  public void close() {
    producer.close();
  }
}
