package io.streamlearn.serve;

import io.streamlearn.app.RawInput;
import io.streamlearn.app.RawRecordDecoder;
import io.streamlearn.features.BadRecordException;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.Label;
import io.streamlearn.features.RecordId;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.Prediction;
import io.streamlearn.tensor.SparseRows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rows gathered for one forward pass of one model version (and of the shadow version, when there
 * is one with the same input width), turned into {@link Prediction}s after the pass.
 *
 * <p>Over raw records ({@link #addRaw}) each version featurizes a record with its own frozen
 * pipeline into its own rows (dense block and sparse fields, scored sparse), so a shadow version
 * with another vocabulary, or another spec, is scored as it would be served; the batch also holds
 * the decoder of the fields both versions read. A record the shadow's pipeline refuses gets no
 * shadow prediction. Not thread-safe: one per stream task.
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
  /** Over raw records: the rows each version's pipeline wrote, the ids, and each version's label of the row. */
  private final SparseRows rows;
  private final SparseRows shadowRows;
  private final List<String> ids;
  private final List<Object> labels;
  private final List<Object> shadowLabels;
  private final List<Boolean> shadowScored;
  private final RawRecordDecoder decoder;
  private final RecordId recordId;

  ScoringBatch(ServedModel.Current current, ServedModel.Current shadow, int capacity) {
    this(current, shadow, capacity, RawInput.EVENTS, Map.of());
  }

  /**
   * A batch for {@code current} (and {@code shadow}), reading {@code input}: over raw records both
   * versions must carry a pipeline (the registry follower refuses those that do not).
   */
  ScoringBatch(ServedModel.Current current, ServedModel.Current shadow, int capacity, RawInput input,
               Map<String, Object> clientProperties) {
    this.current = current;
    this.shadowAsGiven = shadow;
    boolean raw = input.raw();
    if (raw) {
      this.shadow = shadow != null && shadow.pipeline() != null ? shadow : null;
    } else {
      this.shadow = shadow != null && shadow.model().inputs() == current.model().inputs() ? shadow : null;
    }
    this.capacity = capacity;
    this.inputs = current.model().inputs();
    this.x = new float[raw ? 0 : capacity * inputs];
    this.out = new float[capacity * current.model().outputs()];
    this.shadowOut = this.shadow == null ? null : new float[capacity * this.shadow.model().outputs()];
    this.sources = new ArrayList<>(capacity);
    this.events = new ArrayList<>(capacity);
    if (raw) {
      FrozenPipeline p = current.pipeline();
      rows = new SparseRows(p.layout(), capacity);
      shadowRows = this.shadow == null ? null : new SparseRows(this.shadow.pipeline().layout(), capacity);
      ids = new ArrayList<>(capacity);
      labels = new ArrayList<>(capacity);
      shadowLabels = new ArrayList<>(capacity);
      shadowScored = new ArrayList<>(capacity);
      Set<String> paths = new LinkedHashSet<>(pathsOf(p));
      if (this.shadow != null) {
        paths.addAll(pathsOf(this.shadow.pipeline()));
      }
      decoder = input.decoder(paths, clientProperties);
      recordId = new RecordId(input.idField());
    } else {
      rows = null;
      shadowRows = null;
      ids = null;
      labels = null;
      shadowLabels = null;
      shadowScored = null;
      decoder = null;
      recordId = null;
    }
  }

  private static List<String> pathsOf(FrozenPipeline p) {
    List<String> paths = new ArrayList<>(p.spec().paths());
    if (p.labelSpec() != null) {
      paths.add(p.labelSpec().path());
    }
    return paths;
  }

  /** Whether this batch scores raw records. */
  boolean raw() {
    return rows != null;
  }

  /**
   * Decodes a raw record and adds its row, featurized by the served version's pipeline; true when
   * the batch is full.
   *
   * @throws BadRecordException when the record or a field is bad for the served version; nothing
   *     is added then
   */
  boolean addRaw(PendingEvent source) {
    InputRecord record = decoder.decode(source.value());
    current.pipeline().featurize(record, rows);
    if (shadow != null) {
      try {
        shadow.pipeline().featurize(record, shadowRows);
        shadowScored.add(true);
      } catch (BadRecordException e) {
        shadowRows.addRow(); // keeps the rows aligned; this row's shadow prediction is not sent
        shadowScored.add(false);
      }
      shadowLabels.add(labelOf(shadow.pipeline(), record));
    }
    String id = recordId.of(record, source.key());
    ids.add(id != null ? id : source.topic() + "-" + source.partition() + "@" + source.offset());
    labels.add(labelOf(current.pipeline(), record));
    sources.add(source);
    return sources.size() == capacity;
  }

  /**
   * The record's true label among a version's classes (an Integer class index, or a Float target
   * for regression), or null: no label field in the record, or a value that version has no class
   * for. Never a reason to refuse a record: it is scored all the same.
   */
  private static Object labelOf(FrozenPipeline p, InputRecord record) {
    if (p.labelSpec() == null || record.value(p.labelSpec().path()) == null) {
      return null;
    }
    try {
      Label label = p.label(record);
      return label.classIndex() >= 0 ? (Object) label.classIndex() : (Object) (float) label.target();
    } catch (BadRecordException e) {
      return null;
    }
  }

  /** Whether row {@code i} has a shadow prediction (raw records the shadow's pipeline refused do not). */
  boolean shadowScored(int i) {
    return shadowScored == null || shadowScored.get(i);
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
    return sources.size();
  }

  ServedModel.Current current() {
    return current;
  }

  boolean hasShadow() {
    return shadow != null;
  }

  /** The shadow version that scores this batch, or {@code null}. */
  ServedModel.Current shadow() {
    return shadow;
  }

  /** One forward pass per model over the gathered rows. */
  void predict() {
    if (rows != null) {
      current.model().predict(rows, out);
      if (shadow != null) {
        shadow.model().predict(shadowRows, shadowOut);
      }
      return;
    }
    current.model().predict(x, events.size(), out);
    if (shadow != null) {
      shadow.model().predict(x, events.size(), shadowOut);
    }
  }

  /** Input timestamp to now, per row, µs. */
  long[] latenciesMicros() {
    Instant now = Instant.now();
    long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    long[] l = new long[sources.size()];
    for (int i = 0; i < l.length; i++) {
      l[i] = nowMicros - sources.get(i).timestamp() * 1000;
    }
    return l;
  }

  String key(int i) {
    String k = sources.get(i).key();
    return k != null ? k : rows != null ? ids.get(i) : events.get(i).id();
  }

  long timestamp(int i) {
    return sources.get(i).timestamp();
  }

  /** The input record of row {@code i}: its source topic, partition and offset. */
  PendingEvent source(int i) {
    return sources.get(i);
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
    Signature sig = by.version().signature();
    Integer predicted = sig.task() == Signature.Task.CLASSIFICATION
        ? predictedClass(scores, i * outputs, outputs) : null;
    if (rows != null) {
      return Prediction.newBuilder()
          .setId(ids.get(i))
          .setEventTime(sources.get(i).timestamp())
          .setModel(by.version().name())
          .setModelVersion(by.version().version())
          .setPredictedClass(predicted)
          // The label value through the scoring version's own classes (null for a class not yet taken).
          .setPredictedLabel(predicted == null ? null : by.pipeline().className(predicted))
          .setScores(boxed)
          .setLabel(ofShadow ? shadowLabels.get(i) : labels.get(i))
          .setLatencyMicros(latencyMicros)
          .build();
    }
    InputEvent event = events.get(i);
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
    if (rows != null) {
      rows.clear();
      ids.clear();
      labels.clear();
      if (shadowRows != null) {
        shadowRows.clear();
      }
      shadowLabels.clear();
      shadowScored.clear();
    }
  }

  /**
   * A prediction's class from its scores, the one rule the stream and the predict API share:
   * argmax, or {@code p >= 0.5} for a single output.
   */
  static int predictedClass(float[] scores, int from, int outputs) {
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
