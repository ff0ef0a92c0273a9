package io.streamlearn.registry;

import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole registry topic, from the beginning to its current end, into a {@link
 * RegistryState}. Records that do not decode are logged and skipped: a corrupt record never hides
 * the valid ones.
 */
public final class RegistryReader {
  private static final Logger log = LoggerFactory.getLogger(RegistryReader.class);

  private RegistryReader() {}

  /**
   * Materializes the registry.
   *
   * @param clientProperties Kafka client properties (at least {@code bootstrap.servers})
   * @param topic the registry topic
   * @param timeout how long to wait for the broker
   */
  public static RegistryState read(Map<String, Object> clientProperties, String topic,
                                   Duration timeout) {
    RegistryState state = new RegistryState();
    TopicScan.readToEnd(clientProperties, topic, timeout, r -> {
      if (r.key() == null) {
        log.warn("skipping registry record without key at {}-{}@{}", r.topic(), r.partition(), r.offset());
      } else {
        state.apply(r.key(), r.value());
      }
    });
    return state;
  }
}
