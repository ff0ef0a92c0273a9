package io.streamlearn.train;

import io.streamlearn.app.InputChecks;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.LabelEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The trainer's general path for one input record, taken by whatever the {@link Poller}'s fast path
 * did not decode: the full Avro decoders (any schema version, Avro JSON), the checks that name the
 * reason of a dead letter, and the join of delayed labels with their features. It says what the
 * record is as a {@link Routed} outcome and leaves acting on it to the trainer. Not thread-safe.
 */
final class RecordRouter {
  private final String labeledTopic;
  private final String featuresTopic;
  private final InputEventDecoder labeledDecoder = InputEventDecoder.forLabeled();
  private final InputEventDecoder featureDecoder = InputEventDecoder.forFeatures();
  private final AvroSerde<LabelEvent> labelSerde = AvroSerde.of(LabelEvent.class);

  /** What a record turned out to be. Every outcome but {@link NeedsNetwork} consumes the record. */
  sealed interface Routed {
    /** A valid labeled example (maybe joined from a delayed label): to train on or hold out. */
    record Example(InputEvent event) implements Routed {}

    /** Consumed with nothing to train yet: a delayed label or example waiting for its partner. */
    record Consumed() implements Routed {}

    /** A record the trainer cannot use; it goes to the dead-letter topic with the reason. */
    record DeadLetter(String reason) implements Routed {}

    /** A features record the trainer cannot use; the inference service dead-letters it, the trainer counts it. */
    record Skipped() implements Routed {}

    /**
     * The trainer has no network yet: it sets one up for this feature count and routes the record
     * again. Nothing is consumed, so a first checkpoint written while setting up does not cover it.
     */
    record NeedsNetwork(int features) implements Routed {}
  }

  private static final Routed CONSUMED = new Routed.Consumed();
  private static final Routed SKIPPED = new Routed.Skipped();

  RecordRouter(String labeledTopic, String featuresTopic) {
    this.labeledTopic = labeledTopic;
    this.featuresTopic = featuresTopic;
  }

  /**
   * Routes one record.
   *
   * @param state the trainer's state, null before it knows its network
   * @param join the delayed-label join, null without one (or before the network is known)
   */
  Routed route(ConsumerRecord<String, byte[]> r, TrainingState state, LabelJoin join) {
    if (r.topic().equals(labeledTopic)) {
      return labeled(r, state);
    } else if (r.topic().equals(featuresTopic)) {
      return features(r, state, join);
    }
    return label(r, state, join);
  }

  private Routed labeled(ConsumerRecord<String, byte[]> r, TrainingState state) {
    InputEvent event;
    try {
      event = labeledDecoder.decode(r.topic(), r.value());
    } catch (SerializationException e) {
      return new Routed.DeadLetter(e.getMessage());
    }
    if (state == null) {
      return new Routed.NeedsNetwork(event.features().length);
    }
    String problem = InputChecks.featureProblem(event, state.spec.inputs());
    if (problem == null) {
      problem = event.labeled() ? InputChecks.labelProblem(event, state.signature.task(), state.signature.outputCount())
          : "a FeatureEvent has no label to train on";
    }
    return problem == null ? new Routed.Example(event) : new Routed.DeadLetter(problem);
  }

  private Routed features(ConsumerRecord<String, byte[]> r, TrainingState state, LabelJoin join) {
    InputEvent event;
    try {
      event = featureDecoder.decode(r.topic(), r.value());
    } catch (SerializationException e) {
      return SKIPPED;
    }
    if (state == null) {
      return new Routed.NeedsNetwork(event.features().length);
    }
    if (InputChecks.featureProblem(event, state.spec.inputs()) != null) {
      return SKIPPED;
    }
    InputEvent joined = join.offerFeatures(event, r.partition());
    return joined == null ? CONSUMED : new Routed.Example(joined);
  }

  private Routed label(ConsumerRecord<String, byte[]> r, TrainingState state, LabelJoin join) {
    LabelEvent label;
    InputEvent.Label value;
    try {
      label = labelSerde.deserialize(r.topic(), r.value());
      value = InputEvent.Label.of(label.getLabel());
    } catch (SerializationException | IllegalArgumentException e) {
      return new Routed.DeadLetter(e.getMessage());
    }
    if (state != null) {
      String problem = InputChecks.labelProblem(new InputEvent(label.getId(), 0, new float[0], value),
          state.signature.task(), state.signature.outputCount());
      if (problem != null) {
        return new Routed.DeadLetter(problem);
      }
    }
    if (join == null) {
      return CONSUMED; // no features seen yet, so nothing is configured to join with
    }
    InputEvent joined = join.offerLabel(label.getId(), label.getEventTime().toEpochMilli(), value, r.partition());
    return joined == null ? CONSUMED : new Routed.Example(joined);
  }
}
