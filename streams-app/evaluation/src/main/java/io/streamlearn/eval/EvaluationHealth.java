package io.streamlearn.eval;

import org.apache.kafka.streams.KafkaStreams;

/**
 * The health of the evaluation's Kafka Streams client as its state listener sees it: ready only
 * while {@code RUNNING}; failed once it reported {@code ERROR} or {@code PENDING_ERROR}, or stopped
 * without being asked to. The same rule as inference's {@code StreamsHealth}, mirrored here because
 * that class lives in the inference module and the shared runtime has no Kafka Streams dependency to
 * host it (moving it there would put Kafka Streams on the trainer's classpath).
 */
final class EvaluationHealth implements KafkaStreams.StateListener {
  private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
  private volatile boolean failed;
  private volatile boolean closing;

  @Override
  public void onChange(KafkaStreams.State now, KafkaStreams.State before) {
    state = now;
    if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
      failed = true;
    }
  }

  /** The service closes Streams on purpose: its NOT_RUNNING is not a failure. */
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
