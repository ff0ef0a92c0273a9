package io.streamlearn.train;

import io.streamlearn.registry.TopicScan;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the newest committed checkpoint of a model from the compacted checkpoint topic. Must be
 * called after the trainer's transactional producer has been initialised, which aborts a
 * transaction a killed predecessor left open, so the topic's committed end is reachable.
 */
final class CheckpointStore {
  private CheckpointStore() {}

  /**
   * The newest checkpoint of {@code model}, if any.
   *
   * @throws IllegalStateException when the newest checkpoint does not decode (resuming from an
   *     older one would train examples twice, so the trainer refuses to start)
   */
  static Optional<Checkpoint> latest(Map<String, Object> clientProps, String topic, String model,
                                     Duration timeout) {
    AtomicReference<ConsumerRecord<String, byte[]>> newest = new AtomicReference<>();
    TopicScan.readToEnd(clientProps, topic, timeout, r -> {
      if (model.equals(r.key())) {
        newest.set(r);
      }
    });
    if (newest.get() == null || newest.get().value() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(CheckpointCodec.decode(newest.get().value()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the newest checkpoint of model " + model + " (" + topic + "@"
          + newest.get().offset() + ") does not decode: " + e.getMessage()
          + "; delete it (a tombstone for key " + model + ") to start over from the registry", e);
    }
  }
}
