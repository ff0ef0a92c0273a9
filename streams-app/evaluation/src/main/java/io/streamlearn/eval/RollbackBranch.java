package io.streamlearn.eval;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;

/**
 * The automatic-rollback branch of {@link EvaluationTopology}: the by-version topic's evaluations
 * re-keyed {@code model@alias} through the internal topic {@link #byAliasTopic} (every version of
 * an alias then meets in one task) into {@link RollbackGuard}, which writes alias moves to the
 * registry topic and alerts to the metrics topic. Its stores are in memory and changelogged.
 */
final class RollbackBranch {
  static final String STATS_STORE = "rollback-served";
  static final String WATCH_STORE = "rollback-watches";
  static final String REKEY = "rollback-by-alias";
  static final String GUARD = "rollback-guard";
  static final String REGISTRY_SINK = "rollback-registry";
  static final String ALERTS_SINK = "rollback-alerts";
  private static final String BY_ALIAS_SINK = "rollback-by-alias-sink";
  private static final String BY_ALIAS_SOURCE = "rollback-by-alias-source";

  private RollbackBranch() {}

  /** The internal topic of evaluations keyed {@code model@alias}. */
  static String byAliasTopic(EvaluationSettings settings) {
    return settings.applicationId() + "-evaluations-by-alias";
  }

  /** Adds the branch under {@code byVersionSource}, the source node of the by-version topic. */
  static void add(Topology t, EvaluationSettings settings, String byVersionSource, EvaluationMeters meters) {
    t.addProcessor(REKEY, ByAlias::new, byVersionSource);
    t.addSink(BY_ALIAS_SINK, byAliasTopic(settings), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        REKEY);
    t.addSource(BY_ALIAS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        byAliasTopic(settings));
    t.addProcessor(GUARD, () -> new RollbackGuard(settings.model(), settings.rollback(), meters), BY_ALIAS_SOURCE);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STATS_STORE), Serdes.String(),
        Serdes.ByteArray()), GUARD);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(WATCH_STORE), Serdes.String(),
        Serdes.ByteArray()), GUARD);
    t.addSink(REGISTRY_SINK, settings.topics().models(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), GUARD);
    t.addSink(ALERTS_SINK, settings.topics().metrics(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), GUARD);
  }

  /** {@code model:version@alias} to {@code model@alias}; the value unchanged. */
  static String aliasKey(String versionKey) {
    int at = versionKey.lastIndexOf('@');
    int colon = versionKey.lastIndexOf(':', at);
    if (at < 0 || colon < 0) {
      throw new IllegalArgumentException("key must be model:version@alias, found " + versionKey);
    }
    return versionKey.substring(0, colon) + versionKey.substring(at);
  }

  private static final class ByAlias implements Processor<String, byte[], String, byte[]> {
    private ProcessorContext<String, byte[]> context;

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
      context.forward(record.withKey(aliasKey(record.key())));
    }
  }
}
