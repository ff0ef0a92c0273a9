package io.streamlearn.dashboard;

import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.RegistryCodec;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Moves an alias of a model (promote, rollback) by writing an {@code AliasRecord} under
 * {@code name@alias} to the registry topic; inference instances following that alias swap when
 * they read it.
 *
 * <p>This is the dashboard's own small writer so the page works before the registry's API
 * exists; it is the one place to delegate to that API later. It refuses versions the registry
 * does not hold (as the dashboard's state has read them). Thread-safe.
 */
public final class AliasMover implements AutoCloseable {
  private final DashboardState state;
  private final String modelsTopic;
  private final RegistryCodec codec = new RegistryCodec();
  private final KafkaProducer<String, byte[]> producer;

  /** A mover writing to {@code modelsTopic} on the cluster {@code clientProps} names. */
  public AliasMover(DashboardState state, Map<String, Object> clientProps, String modelsTopic) {
    this.state = state;
    this.modelsTopic = modelsTopic;
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Points {@code alias} at {@code version} and waits until the broker has the record.
   *
   * @throws IllegalArgumentException for an invalid alias or a version the registry does not hold
   * @throws IllegalStateException when the broker does not acknowledge within 30 s
   */
  public AliasMove move(String alias, long version, String movedBy, String reason)
      throws InterruptedException {
    if (!state.hasVersion(version)) {
      throw new IllegalArgumentException("version must be one the registry holds for model "
          + state.model() + ", found " + version);
    }
    AliasMove move = new AliasMove(state.model(), alias, version, Instant.now(), movedBy, reason,
        state.aliasVersion(alias));
    try {
      producer.send(new ProducerRecord<>(modelsTopic, move.key(), codec.encode(move)))
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write alias " + move.key() + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("alias " + move.key() + " not acknowledged within 30 s", e);
    }
    return move;
  }

  @Override
  public void close() {
    producer.close();
  }
}
