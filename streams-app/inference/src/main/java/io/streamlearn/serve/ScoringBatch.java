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
 * <p>With a canary version, each row is scored by exactly one of the two: the rows whose key the
 * {@link CanarySplit} routes to the canary go to the canary's own buffer and forward pass, the
 * others to the served version's, and each prediction names the version that made it. Row order is
 * kept (a row remembers its lane and its slot there), so predictions leave in input order. A canary
 * over events whose input width differs from the served version's is not used (its share is scored
 * by the served version, and says so), as a shadow of another width is not.
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
  private final ServedModel.Current canaryAsGiven;
  private final ServedModel.Current canary;
  private final CanarySplit split;
  private final int capacity;
  private final int inputs;
  private final float[] x;
  private final float[] out;
  private final float[] shadowOut;
  /** Over events with a canary: the canary's rows; and, with a shadow too, every row in order for it. */
  private final float[] canaryX;
  private final float[] allX;
  private final float[] canaryOut;
  /** Per row: whether the canary scores it, and its index among its lane's rows. */
  private final boolean[] rowCanary;
  private final int[] rowSlot;
  private int servedCount;
  private int canaryCount;
  private final List<PendingEvent> sources;
  private final List<InputEvent> events;
  /** Over raw records: the rows each version's pipeline wrote, the ids, and each version's label of the row. */
  private final SparseRows rows;
  private final SparseRows shadowRows;
  private final SparseRows canaryRows;
  private final List<String> ids;
  private final List<Object> labels;
  private final List<Object> shadowLabels;
  private final List<Boolean> shadowScored;
  private final RawRecordDecoder decoder;
  private final RecordId recordId;

  ScoringBatch(ServedModel.Current current, ServedModel.Current shadow, int capacity) {
    this(current, shadow, null, null, capacity, RawInput.EVENTS, Map.of());
  }

  /**
   * A batch for {@code current} (and {@code shadow}, and {@code canary} for the keys {@code split}
   * routes to it), reading {@code input}: over raw records every version must carry a pipeline
   * (the registry follower refuses those that do not).
   *
   * @param canary the canary alias's version, or {@code null} (none configured, or no version yet:
   *     the served version scores every row)
   * @param split which keys the canary scores; {@code null} only when {@code canary} is
   */
  ScoringBatch(ServedModel.Current current, ServedModel.Current shadow, ServedModel.Current canary,
               CanarySplit split, int capacity, RawInput input, Map<String, Object> clientProperties) {
    if (canary != null && split == null) {
      throw new IllegalArgumentException("a canary version needs its split");
    }
    this.current = current;
    this.shadowAsGiven = shadow;
    this.canaryAsGiven = canary;
    this.split = split;
    boolean raw = input.raw();
    if (raw) {
      this.shadow = shadow != null && shadow.pipeline() != null ? shadow : null;
      this.canary = canary != null && canary.pipeline() != null ? canary : null;
    } else {
      this.shadow = shadow != null && shadow.model().inputs() == current.model().inputs() ? shadow : null;
      this.canary = canary != null && canary.model().inputs() == current.model().inputs() ? canary : null;
    }
    this.capacity = capacity;
    this.inputs = current.model().inputs();
    this.x = new float[raw ? 0 : capacity * inputs];
    this.out = new float[capacity * current.model().outputs()];
    this.shadowOut = this.shadow == null ? null : new float[capacity * this.shadow.model().outputs()];
    boolean denseCanary = !raw && this.canary != null;
    this.canaryX = denseCanary ? new float[capacity * inputs] : null;
    this.allX = denseCanary && this.shadow != null ? new float[capacity * inputs] : null;
    this.canaryOut = this.canary == null ? null : new float[capacity * this.canary.model().outputs()];
    this.rowCanary = new boolean[capacity];
    this.rowSlot = new int[capacity];
    this.sources = new ArrayList<>(capacity);
    this.events = new ArrayList<>(capacity);
    if (raw) {
      FrozenPipeline p = current.pipeline();
      rows = new SparseRows(p.layout(), capacity);
      shadowRows = this.shadow == null ? null : new SparseRows(this.shadow.pipeline().layout(), capacity);
      canaryRows = this.canary == null ? null : new SparseRows(this.canary.pipeline().layout(), capacity);
      ids = new ArrayList<>(capacity);
      labels = new ArrayList<>(capacity);
      shadowLabels = new ArrayList<>(capacity);
      shadowScored = new ArrayList<>(capacity);
      Set<String> paths = new LinkedHashSet<>(pathsOf(p));
      if (this.shadow != null) {
        paths.addAll(pathsOf(this.shadow.pipeline()));
      }
      if (this.canary != null) {
        paths.addAll(pathsOf(this.canary.pipeline()));
      }
      decoder = input.decoder(paths, clientProperties);
      recordId = new RecordId(input.idField());
    } else {
      rows = null;
      shadowRows = null;
      canaryRows = null;
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
   * Decodes a raw record and adds its row, featurized by the pipeline of the version that scores
   * it (the canary's for a key routed to it, else the served version's); true when the batch is
   * full.
   *
   * @throws BadRecordException when the record or a field is bad for the version that scores it;
   *     nothing is added then
   */
  boolean addRaw(PendingEvent source) {
    InputRecord record = decoder.decode(source.value());
    String id = recordId.of(record, source.key());
    String rowId = id != null ? id : source.topic() + "-" + source.partition() + "@" + source.offset();
    boolean toCanary = routesToCanary(source.key() != null ? source.key() : rowId);
    ServedModel.Current by = toCanary ? canary : current;
    by.pipeline().featurize(record, toCanary ? canaryRows : rows);
    lane(toCanary);
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
    ids.add(rowId);
    labels.add(labelOf(by.pipeline(), record));
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

  /** True when this batch's buffers were made for exactly these versions. */
  boolean servedBy(ServedModel.Current current, ServedModel.Current shadow, ServedModel.Current canary) {
    return this.current == current && this.shadowAsGiven == shadow && this.canaryAsGiven == canary;
  }

  /** The version that scores the event with this key: the canary for a key routed to it, else the served one. */
  ServedModel.Current scorerOf(String key) {
    return routesToCanary(key) ? canary : current;
  }

  private boolean routesToCanary(String key) {
    return canary != null && split.routes(key);
  }

  /** Adds a row checked against the version that scores it ({@link #scorerOf}); true when the batch is full. */
  boolean add(PendingEvent source, InputEvent event) {
    int row = events.size();
    boolean toCanary = routesToCanary(source.key() != null ? source.key() : event.id());
    System.arraycopy(event.features(), 0, toCanary ? canaryX : x, (toCanary ? canaryCount : servedCount) * inputs,
        inputs);
    if (allX != null) {
      System.arraycopy(event.features(), 0, allX, row * inputs, inputs);
    }
    lane(toCanary);
    sources.add(source);
    events.add(event);
    return events.size() == capacity;
  }

  /** Puts the next row in the canary's lane or the served version's. */
  private void lane(boolean toCanary) {
    int row = sources.size();
    rowCanary[row] = toCanary;
    rowSlot[row] = toCanary ? canaryCount++ : servedCount++;
  }

  /** Whether row {@code i} is scored by the canary version. */
  boolean canaryScored(int i) {
    return rowCanary[i];
  }

  /** The canary version that scores this batch's canary rows, or {@code null}. */
  ServedModel.Current canary() {
    return canary;
  }

  /** Rows the served version scores. */
  int servedCount() {
    return servedCount;
  }

  /** Rows the canary version scores. */
  int canaryCount() {
    return canaryCount;
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

  /** One forward pass per model over its gathered rows. */
  void predict() {
    if (rows != null) {
      if (servedCount > 0) {
        current.model().predict(rows, out);
      }
      if (canaryCount > 0) {
        canary.model().predict(canaryRows, canaryOut);
      }
      if (shadow != null) {
        shadow.model().predict(shadowRows, shadowOut);
      }
      return;
    }
    if (servedCount > 0) {
      current.model().predict(x, servedCount, out);
    }
    if (canaryCount > 0) {
      canary.model().predict(canaryX, canaryCount, canaryOut);
    }
    if (shadow != null) {
      shadow.model().predict(allX != null ? allX : x, events.size(), shadowOut);
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

  /** The prediction of row {@code i} by the version that scored it (the served or canary one), or by the shadow. */
  Prediction prediction(int i, boolean ofShadow, long latencyMicros) {
    boolean ofCanary = !ofShadow && rowCanary[i];
    ServedModel.Current by = ofShadow ? shadow : ofCanary ? canary : current;
    float[] scores = ofShadow ? shadowOut : ofCanary ? canaryOut : out;
    int at = ofShadow ? i : rowSlot[i]; // its row in the output of the pass that scored it
    int outputs = by.model().outputs();
    List<Float> boxed = new ArrayList<>(outputs);
    for (int k = 0; k < outputs; k++) {
      boxed.add(scores[at * outputs + k]);
    }
    Signature sig = by.version().signature();
    Integer predicted = sig.task() == Signature.Task.CLASSIFICATION
        ? predictedClass(scores, at * outputs, outputs) : null;
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
    servedCount = 0;
    canaryCount = 0;
    if (rows != null) {
      rows.clear();
      if (canaryRows != null) {
        canaryRows.clear();
      }
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
