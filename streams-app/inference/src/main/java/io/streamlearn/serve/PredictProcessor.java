package io.streamlearn.serve;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.app.InputChecks;
import io.streamlearn.app.RawInput;
import io.streamlearn.features.BadRecordException;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
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
 * Scores input events in micro-batches with the served model and forwards one {@link Prediction}
 * per event to the predictions sink (and, with a shadow alias, one to the shadow sink), or the
 * untouched record with the reason in headers to the dead-letter sink. With a canary alias, the
 * events whose key its {@link CanarySplit} routes to it are scored by the canary version instead
 * (still one prediction each, on the predictions sink, naming the canary alias); before the canary
 * alias names a version the served one scores them, and their predictions name the served alias.
 *
 * <p>An event that cannot be scored at once joins the task's input queue, a changelogged store
 * (see the package documentation for why a plain in-memory buffer would lose events under
 * exactly-once). With {@code batch.linger.ms=0} (the default) nothing waits on purpose: an event
 * that finds the queue empty is scored on arrival without touching the store when the thread is
 * keeping up with its input (the event is younger than {@link #BEHIND_MILLIS}) or after a quiet
 * millisecond ({@link #QUIET_MILLIS}), and such an event first scores whatever an earlier pass
 * left queued; behind its input, events that arrive back to back (the
 * stream thread working through what it polled) are queued and scored together when {@code
 * batch.max.size} are queued or at the end of the thread's pass over them (a wall-clock punctuator
 * of {@link #QUIET_MILLIS}, which Kafka Streams runs between passes), so the batch size follows the
 * load.
 * With {@code batch.linger.ms > 0} every event is queued and the queue is scored when it holds
 * {@code batch.max.size} events, when its oldest event has waited {@code batch.linger.ms}, or from
 * a wall-clock punctuator of that interval. With {@code batch.max.size=1} each event is scored on
 * arrival. While no
 * model exists yet, or while this instance's registry view is behind the version the partition
 * last used, the queue just waits (up to {@code max.pending.events}; beyond it events go to the
 * dead-letter topic). The queue keeps the arrival order, so a partition's predictions stay in
 * order and their versions never go back.
 */
final class PredictProcessor implements Processor<String, byte[], String, byte[]> {
  private static final Logger log = LoggerFactory.getLogger(PredictProcessor.class);
  private static final String APP = "inference";
  /** Queue key of the marker of the last alias move used on this task (its movedAt and version). */
  static final long MARKER_KEY = -1L;
  /**
   * Without a linger: a task that received no event for this long is quiet, and the punctuation
   * interval that scores what a pass of the stream thread queued. Kafka Streams stamps every record
   * of one pass over a task with the same wall-clock time, so a pass never looks quiet inside.
   */
  static final long QUIET_MILLIS = 1;
  /**
   * Without a linger: an event at least this much older than the stream thread's clock (its Kafka
   * timestamp to the pass that processes it) means the thread is behind its input, the load at
   * which batching pays; a younger event that finds the queue empty is scored on arrival. Above the
   * 10-20 ms an exactly-once commit holds the thread, so a commit alone does not start batching.
   */
  static final long BEHIND_MILLIS = 20;

  private final Serving serving;
  private final int maxPending;
  private final int batchMax;
  private final long lingerMillis;
  private final long catchUpTimeoutMillis;
  private final String labeledTopic;
  private final RawInput input;
  private final Map<String, Object> clientProperties;
  private final String alias;
  private final String shadowAlias;
  private final CanarySplit canarySplit;
  private final InputEventDecoder featuresDecoder = InputEventDecoder.forFeatures();
  private final InputEventDecoder labeledDecoder = InputEventDecoder.forLabeled();
  private final AvroSerde<Prediction> predictionSerde = AvroSerde.of(Prediction.class);
  private final List<PendingEvent> queue = new ArrayList<>();
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<Long, byte[]> store;
  private long firstQueuedAtMillis;
  private long lastArrivalMillis = Long.MIN_VALUE;
  private long markMovedAt = Long.MIN_VALUE;
  private long markVersion;
  private long behindSinceMillis = -1;
  /** Rows buffers of the last (version, shadow version, canary version), reused while none changes. */
  private ScoringBatch reusable;

  PredictProcessor(Serving serving, int maxPending, int batchMax, long lingerMillis, long catchUpTimeoutMillis,
                   String labeledTopic, RawInput input, Map<String, Object> clientProperties, String alias,
                   String shadowAlias, CanarySplit canarySplit) {
    this.alias = alias;
    this.shadowAlias = shadowAlias;
    this.canarySplit = canarySplit;
    this.input = input;
    this.clientProperties = clientProperties;
    this.serving = serving;
    this.maxPending = maxPending;
    this.batchMax = batchMax;
    this.lingerMillis = lingerMillis;
    this.catchUpTimeoutMillis = catchUpTimeoutMillis;
    this.labeledTopic = labeledTopic;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(InferenceTopology.QUEUE_STORE);
    restore();
    long interval = lingerMillis > 0 ? lingerMillis : QUIET_MILLIS;
    context.schedule(Duration.ofMillis(interval), PunctuationType.WALL_CLOCK_TIME, now -> {
      ServedModel.Current current = queue.isEmpty() ? null : ready(now);
      if (current != null) {
        flush(current);
      }
    });
  }

  /** Rebuilds the in-memory view of the queue from the (restored) store, re-keyed 0..n-1. */
  private void restore() {
    List<KeyValue<Long, byte[]>> all = new ArrayList<>();
    try (KeyValueIterator<Long, byte[]> it = store.all()) {
      it.forEachRemaining(all::add);
    }
    for (KeyValue<Long, byte[]> kv : all) {
      if (kv.key == MARKER_KEY) {
        ByteBuffer b = ByteBuffer.wrap(kv.value);
        markMovedAt = b.getLong();
        markVersion = b.getLong();
      } else {
        store.delete(kv.key);
        queue.add(PendingEvent.decode(kv.value));
      }
    }
    for (int i = 0; i < queue.size(); i++) {
      store.put((long) i, queue.get(i).encode());
    }
    serving.metrics().queued(queue.size());
    if (!queue.isEmpty()) {
      firstQueuedAtMillis = context.currentSystemTimeMs();
      log.info("task {}: {} queued events restored", context.taskId(), queue.size());
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    PendingEvent event = new PendingEvent(record.key(), record.value(), record.timestamp(),
        meta.topic(), meta.partition(), meta.offset());
    long now = context.currentSystemTimeMs();
    boolean quiet = lastArrivalMillis == Long.MIN_VALUE || now - lastArrivalMillis >= QUIET_MILLIS;
    boolean behind = now - record.timestamp() >= BEHIND_MILLIS;
    lastArrivalMillis = now;
    ServedModel.Current current = ready(now);
    if (current != null && (batchMax == 1 || (lingerMillis == 0 && (quiet || !behind)))) {
      if (!queue.isEmpty()) {
        flush(current); // what an earlier pass left goes first; its pass is over
      }
      score(List.of(event), current); // nothing to batch with: skip the queue's store round trip
      return;
    }
    if (current == null && queue.size() >= maxPending) {
      deadLetter(event, (serving.primary().current() == null ? "no model version to serve yet"
          : "this instance's registry view is behind the version the partition last used")
          + " and " + maxPending + " events already waiting (max.pending.events)");
      return;
    }
    if (queue.isEmpty()) {
      firstQueuedAtMillis = now;
    }
    store.put((long) queue.size(), event.encode());
    queue.add(event);
    serving.metrics().queued(1);
    if (current != null && (queue.size() >= batchMax
        || (lingerMillis > 0 && now - firstQueuedAtMillis >= lingerMillis))) {
      flush(current);
    }
  }

  /**
   * The model to score with now, or {@code null} when events must wait: before the first version,
   * or while this instance serves an older alias move than the one this partition last used (its
   * registry view is behind after a rebalance), for at most {@code catch.up.timeout.ms}.
   */
  private ServedModel.Current ready(long now) {
    ServedModel.Current current = serving.primary().current();
    if (current == null) {
      return null;
    }
    if (current.olderThan(markMovedAt, markVersion)) {
      if (behindSinceMillis < 0) {
        behindSinceMillis = now;
        log.info("task {} last used version {}, this instance serves {}: waiting for the registry to catch up",
            context.taskId(), markVersion, current.version().version());
      }
      if (now - behindSinceMillis < catchUpTimeoutMillis) {
        return null;
      }
      log.warn("task {}: serving version {} after the partition used {} (alias moved back, or the registry"
          + " did not catch up in {} ms)", context.taskId(), current.version().version(), markVersion,
          catchUpTimeoutMillis);
    }
    behindSinceMillis = -1;
    return current;
  }

  /** Scores the whole queue with {@code current}, which {@link #ready} returned just before. */
  private void flush(ServedModel.Current current) {
    if (queue.size() > batchMax) {
      log.info("task {}: scoring {} queued events with {}", context.taskId(), queue.size(), current.version().key());
    }
    List<PendingEvent> events = new ArrayList<>(queue);
    for (long k = 0; k < queue.size(); k++) {
      store.delete(k);
    }
    queue.clear();
    serving.metrics().queued(-events.size());
    score(events, current);
  }

  private void score(List<PendingEvent> events, ServedModel.Current current) {
    if (current.movedAtMillis() != markMovedAt || current.version().version() != markVersion) {
      markMovedAt = current.movedAtMillis();
      markVersion = current.version().version();
      store.put(MARKER_KEY, ByteBuffer.allocate(16).putLong(markMovedAt).putLong(markVersion).array());
    }
    ServedModel.Current shadow = serving.shadow() == null ? null : serving.shadow().current();
    // Read once per micro-batch, like the served version: a canary swap lands between two batches.
    ServedModel.Current canary = serving.canary() == null ? null : serving.canary().current();
    if (reusable == null || !reusable.servedBy(current, shadow, canary)) {
      reusable = new ScoringBatch(current, shadow, canary, canarySplit, batchMax, input, clientProperties);
    }
    ScoringBatch batch = reusable;
    batch.clear();
    if (batch.raw()) {
      scoreRaw(events, batch);
      return;
    }
    for (PendingEvent e : events) {
      InputEvent event;
      try {
        event = (e.topic().equals(labeledTopic) ? labeledDecoder : featuresDecoder).decode(e.topic(), e.value());
      } catch (SerializationException ex) {
        deadLetter(e, ex.getMessage());
        continue;
      }
      // checked against the version that will score it (a canary's labels may be another set)
      Signature sig = batch.scorerOf(e.key() != null ? e.key() : event.id()).version().signature();
      String problem = InputChecks.featureProblem(event, sig.featureCount());
      if (problem == null) {
        problem = InputChecks.labelProblem(event, sig.task(), sig.outputCount());
      }
      if (problem != null) {
        deadLetter(e, problem);
        continue;
      }
      if (batch.add(e, event)) {
        emit(batch);
      }
    }
    if (batch.size() > 0) {
      emit(batch);
    }
  }

  /** Raw records: decoded and featurized by the pipeline of the version that scores them. */
  private void scoreRaw(List<PendingEvent> events, ScoringBatch batch) {
    for (PendingEvent e : events) {
      try {
        if (batch.addRaw(e)) {
          emit(batch);
        }
      } catch (BadRecordException bad) {
        deadLetter(e, bad);
      }
    }
    if (batch.size() > 0) {
      emit(batch);
    }
  }

  private void emit(ScoringBatch batch) {
    batch.predict();
    long nowMillis = System.currentTimeMillis();
    long[] latencies = batch.latenciesMicros();
    long[] servedLatencies = new long[batch.servedCount()];
    long[] canaryLatencies = new long[batch.canaryCount()];
    int served = 0;
    int canaried = 0;
    for (int i = 0; i < batch.size(); i++) {
      boolean ofCanary = batch.canaryScored(i);
      if (ofCanary) {
        canaryLatencies[canaried++] = latencies[i];
      } else {
        servedLatencies[served++] = latencies[i];
      }
      Prediction p = traced(batch.prediction(i, false, latencies[i]), batch.source(i),
          ofCanary ? canarySplit.alias() : alias);
      context.forward(new Record<>(batch.key(i), predictionSerde.serialize(Topics.PREDICTIONS, p),
          batch.timestamp(i)), InferenceTopology.PREDICTIONS_SINK);
    }
    if (served > 0) {
      serving.metrics().recordBatch(batch.current(), served, servedLatencies, nowMillis, System.nanoTime());
    }
    if (canaried > 0) {
      serving.metrics().recordCanary(batch.canary(), canaried, canaryLatencies);
    }
    if (batch.hasShadow()) {
      int shadowed = 0;
      for (int i = 0; i < batch.size(); i++) {
        if (!batch.shadowScored(i)) {
          continue;
        }
        Prediction p = traced(batch.prediction(i, true, latencies[i]), batch.source(i), shadowAlias);
        context.forward(new Record<>(batch.key(i), predictionSerde.serialize(Topics.PREDICTIONS, p),
            batch.timestamp(i)), InferenceTopology.SHADOW_SINK);
        shadowed++;
      }
      serving.metrics().recordShadow(batch.shadow(), shadowed);
    }
    batch.clear();
  }

  /** The task leaves this instance (closed, or migrated): its queue is no longer waiting here. */
  @Override
  public void close() {
    serving.metrics().queued(-queue.size());
    queue.clear();
  }

  /**
   * Names the alias that scored and the input record scored: the evaluation needs both, the alias
   * to tell served from shadow figures, the offset to tell whether the version trained on it.
   */
  private static Prediction traced(Prediction p, PendingEvent source, String alias) {
    p.setAlias(alias);
    p.setSourceTopic(source.topic());
    p.setSourcePartition(source.partition());
    p.setSourceOffset(source.offset());
    return p;
  }

  private void deadLetter(PendingEvent e, BadRecordException bad) {
    log.debug("dead letter {}-{}@{}: {} {}", e.topic(), e.partition(), e.offset(), bad.field(), bad.reason());
    RecordHeaders headers = (RecordHeaders) DeadLetters.headers(APP, bad, e.topic(), e.partition(), e.offset());
    context.forward(new Record<>(e.key(), e.value(), e.timestamp(), headers), InferenceTopology.DEAD_LETTER_SINK);
    serving.metrics().recordDeadLetter();
  }

  private void deadLetter(PendingEvent e, String reason) {
    log.debug("dead letter {}-{}@{}: {}", e.topic(), e.partition(), e.offset(), reason);
    RecordHeaders headers = (RecordHeaders) DeadLetters.headers(APP, reason, e.topic(), e.partition(), e.offset());
    context.forward(new Record<>(e.key(), e.value(), e.timestamp(), headers), InferenceTopology.DEAD_LETTER_SINK);
    serving.metrics().recordDeadLetter();
  }
}
