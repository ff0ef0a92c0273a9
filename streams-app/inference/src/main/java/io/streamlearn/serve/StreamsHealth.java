package io.streamlearn.serve;

import org.apache.kafka.streams.KafkaStreams;

/**
 * The health of a Kafka Streams client as its state listener sees it, for the probes: ready only
 * while {@code RUNNING}; failed (restart me) once it reported {@code ERROR} or {@code
 * PENDING_ERROR}, or when it stopped ({@code NOT_RUNNING}) without being asked to. A probe reads two
 * volatile fields and never waits on Kafka.
 */
final class StreamsHealth implements KafkaStreams.StateListener {
  private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
  /** Set when Streams reported ERROR or PENDING_ERROR: only a restart helps. */
  private volatile boolean failed;
  private volatile boolean closing;

  @Override
  public void onChange(KafkaStreams.State now, KafkaStreams.State before) {
    state = now;
    if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
      failed = true;
    }
  }

  /** The service closes Streams on purpose: its NOT_RUNNING is not a failure. Call before closing. */
  void closing() {
    closing = true;
  }

  /** Why Streams is not ready to process, or {@code null} when it is. */
  String notReady() {
    KafkaStreams.State s = state;
    return s == KafkaStreams.State.RUNNING ? null : "Kafka Streams is " + s;
  }

  /** Why Streams cannot recover by itself, or {@code null}. */
  String failure() {
    KafkaStreams.State s = state;
    if (failed) {
      return "Kafka Streams failed (" + s + ")";
    }
    if (s == KafkaStreams.State.NOT_RUNNING && !closing) {
      return "Kafka Streams is NOT_RUNNING but the service was not closed";
    }
    return null;
  }
}
