package io.streamlearn.serve;

import io.streamlearn.app.DeadLetters;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes refused model versions to the dead-letter topic with a producer owned by the service (an
 * idempotent one, outside the stream threads' transactions: refusing is a decision of the global
 * thread, which is not transactional). The key is the version's registry key; the value is the
 * version's registry record when it is at most {@value #MAX_VALUE_BYTES} bytes (large models stay
 * on the registry topic, where the source coordinates point), else empty; the headers carry the
 * reason and the coordinates as for bad inputs.
 *
 * <p>Each instance that refuses a version writes its own record (and again after a restart, when it
 * re-checks the alias on start-up), so a refusal is reported at least once, never silently.
 */
final class DeadLetterRefusals implements RefusalSink, AutoCloseable {
  static final int MAX_VALUE_BYTES = 512 * 1024;
  private static final Logger log = LoggerFactory.getLogger(DeadLetterRefusals.class);
  private static final String APP = "inference";

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;

  DeadLetterRefusals(Map<String, Object> clientProperties, String deadLetterTopic) {
    this.topic = deadLetterTopic;
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "streamlearn-inference-refusals-" + System.identityHashCode(this));
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public void refused(String registryKey, byte[] value, String reason, String sourceTopic, int partition,
                      long offset) {
    Headers headers = DeadLetters.headers(APP, "model version refused: " + reason, sourceTopic, partition, offset);
    byte[] kept = value != null && value.length <= MAX_VALUE_BYTES ? value : new byte[0];
    producer.send(new ProducerRecord<>(topic, null, registryKey, kept, headers), (meta, e) -> {
      if (e != null) {
        log.error("could not write the refusal of {} to {}: {}", registryKey, topic, e.toString());
      }
    });
  }

  /** The producer, whose client metrics the service exports. */
  KafkaProducer<String, byte[]> producer() {
    return producer;
  }

  @Override
  public void close() {
    producer.close();
  }
}
