package io.streamlearn.eval;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Evaluation;
import io.streamlearn.schema.LabelEvent;
import io.streamlearn.schema.LabelSource;
import io.streamlearn.schema.Prediction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins each {@link Prediction} with its label and forwards one {@link Evaluation} per (event id,
 * alias): to the evaluations sink keyed by id, and to the by-version sink keyed {@code
 * model:version@alias} for the aggregation.
 *
 * <p>The label is the one the prediction carries (inference scored a {@code LabeledEvent}), or a
 * {@code LabelEvent} with the same id, arriving before or after the prediction. Whichever side
 * comes first waits in a changelogged store for {@code label.window.ms} of stream time past its
 * record timestamp; then it is dropped (a prediction as unlabeled). The first label of an id wins;
 * a duplicate is ignored. A done marker per (id, alias), kept as long as the window, makes a
 * repeated prediction of the same pair count once, and the stores' changelogs make all of it
 * survive a restart: under {@code exactly_once_v2} each prediction is evaluated exactly once.
 *
 * <p>Expiry walks a time index ({@code <time>|<kind>|<key>}, the time as order-preserving hex), so
 * a punctuation touches only what expires, not every pending entry. Undecodable records go to the
 * dead-letter topic with the reason in headers.
 */
final class EvaluationJoin implements Processor<String, byte[], String, byte[]> {
  private static final Logger log = LoggerFactory.getLogger(EvaluationJoin.class);
  private static final String APP = "evaluation";
  private static final char SEP = '\u0000';
  private static final byte[] PRESENT = new byte[] {1};
  private static final double MIN_PROBABILITY = 1e-15;
  private static final char PENDING_KIND = 'p';
  private static final char LABEL_KIND = 'l';
  private static final char DONE_KIND = 'd';

  private final String model;
  private final String labelsTopic;
  private final long windowMs;
  private final AvroSerde<Prediction> predictions = AvroSerde.of(Prediction.class);
  private final AvroSerde<LabelEvent> labels = AvroSerde.of(LabelEvent.class);
  private final AvroSerde<Evaluation> evaluations = AvroSerde.of(Evaluation.class);
  private final Set<Long> unknownVersions = new java.util.HashSet<>();
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> pending;
  private KeyValueStore<String, byte[]> labelStore;
  private KeyValueStore<String, byte[]> done;
  private KeyValueStore<String, byte[]> expiry;
  private Lineages lineages;

  EvaluationJoin(String model, String labelsTopic, long windowMs) {
    this.model = model;
    this.labelsTopic = labelsTopic;
    this.windowMs = windowMs;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    pending = context.getStateStore(EvaluationTopology.PENDING_STORE);
    labelStore = context.getStateStore(EvaluationTopology.LABELS_STORE);
    done = context.getStateStore(EvaluationTopology.DONE_STORE);
    expiry = context.getStateStore(EvaluationTopology.EXPIRY_STORE);
    KeyValueStore<String, byte[]> registry = context.getStateStore(EvaluationTopology.REGISTRY_STORE);
    lineages = new Lineages(registry::get);
    context.schedule(Duration.ofMillis(Math.max(1, Math.min(windowMs, 1_000))), PunctuationType.STREAM_TIME,
        this::expire);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    if (record.value() == null) {
      return; // a tombstone carries nothing to evaluate
    }
    if (meta.topic().equals(labelsTopic)) {
      LabelEvent label;
      try {
        label = labels.deserialize(meta.topic(), record.value());
      } catch (SerializationException e) {
        deadLetter(record, meta, e.getMessage());
        return;
      }
      onLabel(label, record.timestamp());
    } else {
      Prediction p;
      try {
        p = predictions.deserialize(meta.topic(), record.value());
      } catch (SerializationException e) {
        deadLetter(record, meta, e.getMessage());
        return;
      }
      if (p.getModel().equals(model)) {
        onPrediction(p, record.timestamp());
      }
    }
  }

  private void onPrediction(Prediction p, long timestamp) {
    String key = pairKey(p.getId(), p.getAlias());
    if (done.get(key) != null || pending.get(key) != null) {
      return; // this (id, alias) is evaluated or waiting already: evaluate each pair once
    }
    if (p.getLabel() != null) {
      evaluate(p, p.getLabel(), LabelSource.PREDICTION, timestamp);
      return;
    }
    byte[] label = labelStore.get(p.getId());
    if (label != null) {
      evaluate(p, labels.deserialize(labelsTopic, label).getLabel(), LabelSource.LABEL_EVENT, timestamp);
      return;
    }
    pending.put(key, predictions.serialize(null, p));
    index(timestamp, PENDING_KIND, key);
  }

  private void onLabel(LabelEvent label, long timestamp) {
    String id = label.getId();
    if (labelStore.get(id) != null) {
      log.debug("duplicate label for {} ignored: the first one counts", id);
      return;
    }
    labelStore.put(id, labels.serialize(null, label));
    index(timestamp, LABEL_KIND, id);
    List<KeyValue<String, byte[]>> waiting = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = pending.prefixScan(id + SEP, new StringSerializer())) {
      it.forEachRemaining(waiting::add);
    }
    for (KeyValue<String, byte[]> kv : waiting) {
      pending.delete(kv.key);
      evaluate(predictions.deserialize(null, kv.value), label.getLabel(), LabelSource.LABEL_EVENT, timestamp);
    }
  }

  private void evaluate(Prediction p, Object label, LabelSource source, long timestamp) {
    String key = pairKey(p.getId(), p.getAlias());
    done.put(key, PRESENT);
    index(timestamp, DONE_KIND, key);
    Evaluation e = evaluation(p, label, source, judge(p), context.currentStreamTimeMs());
    byte[] bytes = evaluations.serialize(null, e);
    context.forward(new Record<>(p.getId(), bytes, timestamp), EvaluationTopology.EVALUATIONS_SINK);
    context.forward(new Record<>(versionKey(p.getModel(), p.getModelVersion(), p.getAlias()), bytes, timestamp),
        EvaluationTopology.BY_VERSION_SINK);
  }

  private boolean judge(Prediction p) {
    Lineages.Verdict v = lineages.judge(p.getModel(), p.getModelVersion(), p.getId(), p.getSourceTopic(),
        p.getSourcePartition(), p.getSourceOffset());
    if (v == Lineages.Verdict.UNKNOWN && unknownVersions.add(p.getModelVersion())) {
      log.warn("cannot judge leaks of {}:{} (not in the registry view yet, or predictions without their input"
          + " offset): its predictions count as not leaked", p.getModel(), p.getModelVersion());
    }
    return v == Lineages.Verdict.LEAKED;
  }

  /**
   * The evaluation of {@code p} against {@code label}: correct and cross-entropy for a classifier
   * (a class index label; one sigmoid output reads as p(class 1)), squared error of the first
   * output for regression.
   */
  static Evaluation evaluation(Prediction p, Object label, LabelSource source, boolean leaked, long evaluatedAt) {
    Evaluation.Builder b = Evaluation.newBuilder()
        .setId(p.getId())
        .setModel(p.getModel())
        .setModelVersion(p.getModelVersion())
        .setAlias(p.getAlias())
        .setPredictedClass(p.getPredictedClass())
        .setScores(p.getScores())
        .setLabelSource(source)
        .setLeaked(leaked)
        .setEventTime(p.getEventTime())
        .setEvaluatedAt(java.time.Instant.ofEpochMilli(evaluatedAt));
    List<Float> scores = p.getScores();
    if (p.getPredictedClass() != null) {
      int actual = (int) Math.round(((Number) label).doubleValue());
      double probability = scores.size() == 1 ? (actual == 1 ? scores.get(0) : 1 - scores.get(0))
          : actual >= 0 && actual < scores.size() ? scores.get(actual) : 0;
      return b.setLabel(actual).setCorrect(p.getPredictedClass() == actual)
          .setLoss(-Math.log(Math.max(MIN_PROBABILITY, probability))).build();
    }
    float target = ((Number) label).floatValue();
    double err = scores.isEmpty() ? Double.NaN : scores.get(0) - target;
    return b.setLabel(target).setCorrect(null).setLoss(err * err).build();
  }

  /** Drops what has waited longer than the window: unlabeled predictions, unmatched labels, done markers. */
  private void expire(long streamTime) {
    long cutoff = streamTime - windowMs;
    if (cutoff == Long.MIN_VALUE) {
      return;
    }
    List<String> gone = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = expiry.range(timeText(Long.MIN_VALUE), timeText(cutoff))) {
      it.forEachRemaining(kv -> gone.add(kv.key));
    }
    int unlabeled = 0;
    for (String entry : gone) {
      expiry.delete(entry);
      char kind = entry.charAt(17);
      String key = entry.substring(19);
      if (kind == PENDING_KIND) {
        if (pending.delete(key) != null) {
          unlabeled++;
        }
      } else if (kind == LABEL_KIND) {
        labelStore.delete(key);
      } else {
        done.delete(key);
      }
    }
    if (unlabeled > 0) {
      log.debug("task {}: {} predictions got no label within {} ms", context.taskId(), unlabeled, windowMs);
    }
  }

  private void index(long timestamp, char kind, String key) {
    expiry.put(timeText(timestamp) + "|" + kind + "|" + key, PRESENT);
  }

  /** A time as 16 hex digits that sort as the times do (the sign bit flipped). */
  static String timeText(long time) {
    return String.format("%016x", time ^ Long.MIN_VALUE);
  }

  static String pairKey(String id, String alias) {
    return id + SEP + (alias == null ? "" : alias);
  }

  /** The aggregation's key: {@code model:version@alias} (an empty alias when the prediction named none). */
  static String versionKey(String model, long version, String alias) {
    return model + ":" + version + "@" + (alias == null ? "" : alias);
  }

  private void deadLetter(Record<String, byte[]> record, RecordMetadata meta, String reason) {
    log.debug("dead letter {}-{}@{}: {}", meta.topic(), meta.partition(), meta.offset(), reason);
    RecordHeaders headers = (RecordHeaders) DeadLetters.headers(APP, reason, meta.topic(), meta.partition(),
        meta.offset());
    context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
        EvaluationTopology.DEAD_LETTER_SINK);
  }
}
