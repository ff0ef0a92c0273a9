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
 * reason of a dead letter, and the join of delayed labels with their features. What it finds goes
 * to a {@link Sink}, in the order the trainer's bookkeeping needs. Not thread-safe.
 */
final class RecordRouter {
  private final String labeledTopic;
  private final String featuresTopic;
  private final InputEventDecoder labeledDecoder = InputEventDecoder.forLabeled();
  private final InputEventDecoder featureDecoder = InputEventDecoder.forFeatures();
  private final AvroSerde<LabelEvent> labelSerde = AvroSerde.of(LabelEvent.class);
  private final Sink sink;

  /** What the router tells the trainer. */
  interface Sink {
    /** The trainer's state, set up for this feature count from the first event if it was not yet. */
    TrainingState initialized(int features);

    /** The state, or null before the first event when the feature count was not configured. */
    TrainingState stateOrNull();

    /** The delayed-label join, or null before it is set up. */
    LabelJoin join();

    /** The record is consumed: its offset may be committed with whatever it led to. */
    void consumed(ConsumerRecord<String, byte[]> r);

    void deadLetter(ConsumerRecord<String, byte[]> r, String reason);

    /** A features record the trainer cannot use (the inference service dead-letters it). */
    void skipped();

    /** A valid labeled example: trained on or held out. */
    void example(InputEvent event, ConsumerRecord<String, byte[]> r);
  }

  RecordRouter(String labeledTopic, String featuresTopic, Sink sink) {
    this.labeledTopic = labeledTopic;
    this.featuresTopic = featuresTopic;
    this.sink = sink;
  }

  void route(ConsumerRecord<String, byte[]> r) {
    if (r.topic().equals(labeledTopic)) {
      labeled(r);
    } else if (r.topic().equals(featuresTopic)) {
      features(r);
    } else {
      label(r);
    }
  }

  private void labeled(ConsumerRecord<String, byte[]> r) {
    InputEvent event;
    try {
      event = labeledDecoder.decode(r.topic(), r.value());
    } catch (SerializationException e) {
      sink.consumed(r);
      sink.deadLetter(r, e.getMessage());
      return;
    }
    // Before the record counts as consumed: setting up may commit a first checkpoint.
    TrainingState state = sink.initialized(event.features().length);
    sink.consumed(r);
    String problem = InputChecks.featureProblem(event, state.spec.inputs());
    if (problem == null) {
      problem = event.labeled() ? InputChecks.labelProblem(event, state.signature.task(), state.signature.outputCount())
          : "a FeatureEvent has no label to train on";
    }
    if (problem != null) {
      sink.deadLetter(r, problem);
      return;
    }
    sink.example(event, r);
  }

  private void features(ConsumerRecord<String, byte[]> r) {
    InputEvent event;
    try {
      event = featureDecoder.decode(r.topic(), r.value());
    } catch (SerializationException e) {
      // The inference service owns this topic's dead letters; the trainer only counts it.
      sink.consumed(r);
      sink.skipped();
      return;
    }
    TrainingState state = sink.initialized(event.features().length);
    sink.consumed(r);
    if (InputChecks.featureProblem(event, state.spec.inputs()) != null) {
      sink.skipped();
      return;
    }
    InputEvent joined = sink.join().offerFeatures(event, r.partition());
    if (joined != null) {
      sink.example(joined, r);
    }
  }

  private void label(ConsumerRecord<String, byte[]> r) {
    sink.consumed(r);
    LabelEvent label;
    InputEvent.Label value;
    try {
      label = labelSerde.deserialize(r.topic(), r.value());
      value = InputEvent.Label.of(label.getLabel());
    } catch (SerializationException | IllegalArgumentException e) {
      sink.deadLetter(r, e.getMessage());
      return;
    }
    TrainingState state = sink.stateOrNull();
    if (state != null) {
      String problem = InputChecks.labelProblem(new InputEvent(label.getId(), 0, new float[0], value),
          state.signature.task(), state.signature.outputCount());
      if (problem != null) {
        sink.deadLetter(r, problem);
        return;
      }
    }
    LabelJoin join = sink.join();
    if (join == null) {
      return; // no features seen yet, so nothing is configured to join with
    }
    InputEvent joined = join.offerLabel(label.getId(), label.getEventTime().toEpochMilli(), value, r.partition());
    if (joined != null) {
      sink.example(joined, r);
    }
  }
}
