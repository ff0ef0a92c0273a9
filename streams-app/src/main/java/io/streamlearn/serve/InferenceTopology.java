package io.streamlearn.serve;

import io.streamlearn.config.CommonKeys;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Builds the inference topology. */
public final class InferenceTopology {
  static final String REGISTRY_STORE = "registry";
  static final String PENDING_STORE = "pending-events";
  static final String SOURCE = "events";
  static final String PREDICT = "predict";
  static final String PREDICTIONS_SINK = "predictions";
  static final String DEAD_LETTER_SINK = "dead-letter";

  private InferenceTopology() {}

  /**
   * The topology for a configuration, serving into a fresh {@link ServedModel}. Side-effect free:
   * {@code main} and the tests call it alike.
   */
  public static Topology build(InferenceConfig config) {
    return build(config, new ServedModel());
  }

  /**
   * The topology serving into {@code served}, which the caller may watch (version, swaps).
   *
   * <p>Sources: the features and labeled topics. The registry topic feeds a global store through
   * {@link RegistryFollower}. Sinks: predictions and dead letters.
   */
  public static Topology build(InferenceConfig config, ServedModel served) {
    String model = config.getString(CommonKeys.MODEL_NAME);
    String alias = config.getString(InferenceConfig.ALIAS);
    String labeledTopic = config.getString(CommonKeys.LABELED_TOPIC);
    int maxPending = config.getInt(InferenceConfig.MAX_PENDING_EVENTS);
    Topology t = new Topology();
    t.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REGISTRY_STORE), Serdes.String(),
            Serdes.ByteArray()).withLoggingDisabled(),
        "registry-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        config.getString(CommonKeys.MODELS_TOPIC), "registry-follower",
        () -> new RegistryFollower(model, alias, served));
    t.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        config.getString(CommonKeys.FEATURES_TOPIC), labeledTopic);
    t.addProcessor(PREDICT, () -> new PredictProcessor(served, maxPending, labeledTopic), SOURCE);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE),
        Serdes.Long(), Serdes.ByteArray()), PREDICT);
    t.addSink(PREDICTIONS_SINK, config.getString(CommonKeys.PREDICTIONS_TOPIC),
        Serdes.String().serializer(), Serdes.ByteArray().serializer(), PREDICT);
    t.addSink(DEAD_LETTER_SINK, config.getString(CommonKeys.DEAD_LETTER_TOPIC),
        Serdes.String().serializer(), Serdes.ByteArray().serializer(), PREDICT);
    return t;
  }
}
