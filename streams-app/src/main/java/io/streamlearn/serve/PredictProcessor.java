package io.streamlearn.serve;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.app.InputChecks;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * Scores each input event with the served model and forwards one {@link Prediction} to the
 * predictions sink, or the untouched record with the reason in headers to the dead-letter sink.
 *
 * <p>Events that arrive before any model exists are kept, in arrival order, in a changelogged
 * store (so they survive a crash under exactly-once) and scored as soon as the first version is
 * served; once some are waiting, later ones queue behind them so a partition's order is kept.
 */
final class PredictProcessor implements Processor<String, byte[], String, byte[]> {
  private static final Logger log = LoggerFactory.getLogger(PredictProcessor.class);
  private static final String APP = "inference";

  private final ServedModel served;
  private final int maxPending;
  private final InputEventDecoder featuresDecoder = InputEventDecoder.forFeatures();
  private final InputEventDecoder labeledDecoder = InputEventDecoder.forLabeled();
  private final String labeledTopic;
  private final AvroSerde<Prediction> predictionSerde = AvroSerde.of(Prediction.class);
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<Long, byte[]> pending;
  private long nextSequence;
  private long pendingCount;

  PredictProcessor(ServedModel served, int maxPending, String labeledTopic) {
    this.served = served;
    this.maxPending = maxPending;
    this.labeledTopic = labeledTopic;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.pending = context.getStateStore(InferenceTopology.PENDING_STORE);
    try (KeyValueIterator<Long, byte[]> it = pending.all()) {
      while (it.hasNext()) {
        nextSequence = it.next().key + 1;
        pendingCount++;
      }
    }
    context.schedule(Duration.ofMillis(50), PunctuationType.WALL_CLOCK_TIME, now -> drain());
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    PendingEvent event = new PendingEvent(record.key(), record.value(), record.timestamp(),
        meta.topic(), meta.partition(), meta.offset());
    ServedModel.Current current = served.current();
    if (current == null || pendingCount > 0) {
      hold(event);
      if (current != null) {
        drain();
      }
      return;
    }
    score(event, current);
  }

  private void hold(PendingEvent event) {
    if (pendingCount >= maxPending) {
      deadLetter(event, "no model version to serve yet and " + maxPending
          + " events already waiting (max.pending.events)");
      return;
    }
    pending.put(nextSequence++, event.encode());
    pendingCount++;
  }

  private void drain() {
    ServedModel.Current current = served.current();
    if (current == null || pendingCount == 0) {
      return;
    }
    List<KeyValue<Long, byte[]>> all = new ArrayList<>();
    try (KeyValueIterator<Long, byte[]> it = pending.all()) {
      it.forEachRemaining(all::add);
    }
    for (KeyValue<Long, byte[]> kv : all) {
      score(PendingEvent.decode(kv.value), current);
      pending.delete(kv.key);
    }
    log.info("scored {} events that waited for the first model with {}", all.size(), current.version().key());
    pendingCount = 0;
  }

  private void score(PendingEvent e, ServedModel.Current current) {
    InputEvent event;
    try {
      event = (e.topic().equals(labeledTopic) ? labeledDecoder : featuresDecoder).decode(e.topic(), e.value());
    } catch (SerializationException ex) {
      deadLetter(e, ex.getMessage());
      return;
    }
    Signature sig = current.version().signature();
    String problem = InputChecks.featureProblem(event, sig.featureCount());
    if (problem == null) {
      problem = InputChecks.labelProblem(event, sig.task(), sig.outputCount());
    }
    if (problem != null) {
      deadLetter(e, problem);
      return;
    }
    float[] scores = current.model().predict(event.features());
    List<Float> boxed = new ArrayList<>(scores.length);
    for (float s : scores) {
      boxed.add(s);
    }
    Prediction p = Prediction.newBuilder()
        .setId(event.id())
        .setEventTime(event.eventTime())
        .setModel(current.version().name())
        .setModelVersion(current.version().version())
        .setPredictedClass(sig.task() == Signature.Task.CLASSIFICATION ? predictedClass(scores) : null)
        .setScores(boxed)
        .setLabel(event.label() == null ? null : event.label().avroValue())
        .setLatencyMicros(micros(Instant.now()) - e.timestamp() * 1000)
        .build();
    String key = e.key() != null ? e.key() : event.id();
    context.forward(new Record<>(key, predictionSerde.serialize(Topics.PREDICTIONS, p), e.timestamp()),
        InferenceTopology.PREDICTIONS_SINK);
  }

  private static Integer predictedClass(float[] scores) {
    if (scores.length == 1) {
      return scores[0] >= 0.5f ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < scores.length; k++) {
      if (scores[k] > scores[best]) {
        best = k;
      }
    }
    return best;
  }

  private void deadLetter(PendingEvent e, String reason) {
    log.debug("dead letter {}-{}@{}: {}", e.topic(), e.partition(), e.offset(), reason);
    RecordHeaders headers = (RecordHeaders) DeadLetters.headers(APP, reason, e.topic(), e.partition(), e.offset());
    context.forward(new Record<>(e.key(), e.value(), e.timestamp(), headers), InferenceTopology.DEAD_LETTER_SINK);
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }
}
