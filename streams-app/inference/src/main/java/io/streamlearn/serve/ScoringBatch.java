package io.streamlearn.serve;

import io.streamlearn.registry.Signature;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.Prediction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows gathered for one forward pass of one model version (and of the shadow version, when there
 * is one with the same input width), turned into {@link Prediction}s after the pass.
 */
final class ScoringBatch {
  private final ServedModel.Current current;
  private final ServedModel.Current shadowAsGiven;
  private final ServedModel.Current shadow;
  private final int capacity;
  private final int inputs;
  private final float[] x;
  private final float[] out;
  private final float[] shadowOut;
  private final List<PendingEvent> sources;
  private final List<InputEvent> events;

  ScoringBatch(ServedModel.Current current, ServedModel.Current shadow, int capacity) {
    this.current = current;
    this.shadowAsGiven = shadow;
    this.shadow = shadow != null && shadow.model().inputs() == current.model().inputs() ? shadow : null;
    this.capacity = capacity;
    this.inputs = current.model().inputs();
    this.x = new float[capacity * inputs];
    this.out = new float[capacity * current.model().outputs()];
    this.shadowOut = this.shadow == null ? null : new float[capacity * this.shadow.model().outputs()];
    this.sources = new ArrayList<>(capacity);
    this.events = new ArrayList<>(capacity);
  }

  /** True when this batch's buffers were made for exactly these two versions. */
  boolean servedBy(ServedModel.Current current, ServedModel.Current shadow) {
    return this.current == current && this.shadowAsGiven == shadow;
  }

  /** Adds a checked row; true when the batch is full. */
  boolean add(PendingEvent source, InputEvent event) {
    System.arraycopy(event.features(), 0, x, events.size() * inputs, inputs);
    sources.add(source);
    events.add(event);
    return events.size() == capacity;
  }

  int size() {
    return events.size();
  }

  ServedModel.Current current() {
    return current;
  }

  boolean hasShadow() {
    return shadow != null;
  }

  /** One forward pass per model over the gathered rows. */
  void predict() {
    current.model().predict(x, events.size(), out);
    if (shadow != null) {
      shadow.model().predict(x, events.size(), shadowOut);
    }
  }

  /** Input timestamp to now, per row, µs. */
  long[] latenciesMicros() {
    Instant now = Instant.now();
    long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    long[] l = new long[events.size()];
    for (int i = 0; i < l.length; i++) {
      l[i] = nowMicros - sources.get(i).timestamp() * 1000;
    }
    return l;
  }

  String key(int i) {
    String k = sources.get(i).key();
    return k != null ? k : events.get(i).id();
  }

  long timestamp(int i) {
    return sources.get(i).timestamp();
  }

  /** The prediction of row {@code i} by the served (or shadow) version. */
  Prediction prediction(int i, boolean ofShadow, long latencyMicros) {
    ServedModel.Current by = ofShadow ? shadow : current;
    float[] scores = ofShadow ? shadowOut : out;
    int outputs = by.model().outputs();
    List<Float> boxed = new ArrayList<>(outputs);
    for (int k = 0; k < outputs; k++) {
      boxed.add(scores[i * outputs + k]);
    }
    InputEvent event = events.get(i);
    Signature sig = by.version().signature();
    Integer predicted = sig.task() == Signature.Task.CLASSIFICATION
        ? predictedClass(scores, i * outputs, outputs) : null;
    return Prediction.newBuilder()
        .setId(event.id())
        .setEventTime(event.eventTime())
        .setModel(by.version().name())
        .setModelVersion(by.version().version())
        .setPredictedClass(predicted)
        // The class by its label value, from the names of the version that scored it.
        .setPredictedLabel(predicted == null ? null : sig.className(predicted))
        .setScores(boxed)
        .setLabel(event.label() == null ? null : event.label().avroValue())
        .setLatencyMicros(latencyMicros)
        .build();
  }

  void clear() {
    sources.clear();
    events.clear();
  }

  private static Integer predictedClass(float[] scores, int from, int outputs) {
    if (outputs == 1) {
      return scores[from] >= 0.5f ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < outputs; k++) {
      if (scores[from + k] > scores[from + best]) {
        best = k;
      }
    }
    return best;
  }
}
