package io.streamlearn.eval;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Evaluation;
import io.streamlearn.schema.ServedMetrics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Aggregates evaluations, keyed {@code model:version@alias}, into {@link ServedStats}: per tumbling
 * window of the input's event time (a window store, changelogged, kept {@code
 * metrics.retention.ms}) and all-time (a key-value store, which the service answers queries from).
 * Leaked evaluations only count as leaked. Every {@code publish.interval.ms} of wall-clock time the
 * windows and totals that changed are written as {@link ServedMetrics} (the totals with window
 * {@code [0, Long.MAX_VALUE)}).
 *
 * <p>Which keys changed is kept in memory only: after a crash the stores are exact (changelogged,
 * exactly-once) but a change not yet published is published with the key's next change, not before.
 */
final class ServedAggregator implements Processor<String, byte[], String, byte[]> {
  private final long windowMs;
  private final long publishIntervalMs;
  private final AvroSerde<Evaluation> evaluations = AvroSerde.of(Evaluation.class);
  private final AvroSerde<ServedMetrics> served = AvroSerde.of(ServedMetrics.class);
  /** What changed since the last publication: key to its evaluation (for model, version, alias), by window. */
  private final Map<String, Evaluation> changedTotals = new LinkedHashMap<>();
  private final Map<String, Long> changedWindows = new LinkedHashMap<>();
  private ProcessorContext<String, byte[]> context;
  private WindowStore<String, byte[]> windows;
  private KeyValueStore<String, byte[]> totals;

  ServedAggregator(long windowMs, long publishIntervalMs) {
    this.windowMs = windowMs;
    this.publishIntervalMs = publishIntervalMs;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    windows = context.getStateStore(EvaluationTopology.WINDOWS_STORE);
    totals = context.getStateStore(EvaluationTopology.TOTALS_STORE);
    context.schedule(Duration.ofMillis(publishIntervalMs), PunctuationType.WALL_CLOCK_TIME, this::publish);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    Evaluation e = evaluations.deserialize(null, record.value());
    String key = record.key();
    long start = windowStart(e.getEventTime(), windowMs);
    ServedStats window = ServedStats.decode(windows.fetch(key, start));
    window.add(e);
    windows.put(key, window.encode(), start);
    ServedStats total = ServedStats.decode(totals.get(key));
    total.add(e);
    totals.put(key, total.encode());
    changedTotals.put(key, e);
    changedWindows.put(key + "|" + start, start);
  }

  static long windowStart(long eventTime, long windowMs) {
    return eventTime - Math.floorMod(eventTime, windowMs);
  }

  private void publish(long now) {
    for (Map.Entry<String, Long> w : changedWindows.entrySet()) {
      String key = w.getKey().substring(0, w.getKey().lastIndexOf('|'));
      long start = w.getValue();
      byte[] stats = windows.fetch(key, start);
      if (stats != null) {
        forward(key, changedTotals.get(key), start, start + windowMs, ServedStats.decode(stats), now);
      }
    }
    for (Map.Entry<String, Evaluation> t : changedTotals.entrySet()) {
      forward(t.getKey(), t.getValue(), 0, Long.MAX_VALUE, ServedStats.decode(totals.get(t.getKey())), now);
    }
    changedWindows.clear();
    changedTotals.clear();
  }

  private void forward(String key, Evaluation of, long start, long end, ServedStats stats, long now) {
    ServedMetrics m = ServedMetrics.newBuilder()
        .setModel(of.getModel())
        .setModelVersion(of.getModelVersion())
        .setAlias(of.getAlias())
        .setWindowStart(start)
        .setWindowEnd(end)
        .setEvaluated(stats.evaluated)
        .setLeaked(stats.leaked)
        .setMetrics(new LinkedHashMap<>(stats.metrics()))
        .setPublishedAt(java.time.Instant.ofEpochMilli(now))
        .build();
    context.forward(new Record<>(key, served.serialize(null, m), now), EvaluationTopology.SERVED_METRICS_SINK);
  }
}
