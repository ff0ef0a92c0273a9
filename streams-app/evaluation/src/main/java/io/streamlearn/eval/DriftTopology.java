package io.streamlearn.eval;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The drift branch of the evaluation topology (drift without labels): the event topics inference
 * reads → {@link DriftMonitor} → {@code DRIFT} training events on the metrics topic. It reads the
 * registry's global store for the served version and its reference sketch, and keeps its open
 * windows in a changelogged store (cached, so a window's counts reach the changelog once per commit,
 * not once per event).
 */
final class DriftTopology {
  static final String WINDOWS_STORE = "drift-windows";
  static final String MONITOR = "drift-monitor";
  static final String METRICS_SINK = "drift-alerts";

  private DriftTopology() {}

  /** Adds the branch to {@code t}. */
  static void add(Topology t, EvaluationSettings settings) {
    DriftSettings d = settings.drift();
    t.addSource("drift-inputs", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        d.inputTopics().toArray(String[]::new));
    t.addProcessor(MONITOR, () -> new DriftMonitor(settings.model(), d, settings.topics().labeled()),
        "drift-inputs");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WINDOWS_STORE), Serdes.String(),
        Serdes.ByteArray()).withCachingEnabled(), MONITOR);
    t.addSink(METRICS_SINK, settings.topics().metrics(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), MONITOR);
  }
}
