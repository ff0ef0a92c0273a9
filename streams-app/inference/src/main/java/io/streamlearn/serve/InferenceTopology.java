package io.streamlearn.serve;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Builds the inference topology. */
public final class InferenceTopology {
  static final String REGISTRY_STORE = "registry";
  static final String QUEUE_STORE = "input-queue";
  static final String SOURCE = "events";
  static final String PREDICT = "predict";
  static final String PREDICTIONS_SINK = "predictions";
  static final String SHADOW_SINK = "shadow-predictions";
  static final String DEAD_LETTER_SINK = "dead-letter";

  private InferenceTopology() {}

  /**
   * The topology for a configuration, serving into fresh holders. Side-effect free: {@code main}
   * and the tests call it alike.
   */
  public static Topology build(InferenceConfig config) {
    return build(config.settings(), new ServedModel());
  }

  /** The topology serving into {@code served}, which the caller may watch (version, swaps). */
  public static Topology build(InferenceConfig config, ServedModel served) {
    return build(config.settings(), served);
  }

  /** The topology serving into {@code served}, from settings already read. */
  public static Topology build(InferenceSettings settings, ServedModel served) {
    return build(settings, Serving.of(settings, served, RefusalSink.LOG_ONLY));
  }

  /** The topology serving into {@code serving}; see {@link #build(InferenceSettings, Serving)}. */
  public static Topology build(InferenceConfig config, Serving serving) {
    return build(config.settings(), serving);
  }

  /**
   * The topology serving into {@code serving}.
   *
   * <p>Sources: the input topics. The registry topic feeds a global store through {@link
   * RegistryFollower}, which follows the served alias, the shadow alias and the canary alias. Sinks:
   * predictions (the served and the canary alias's), shadow predictions (with a shadow alias) and
   * dead letters.
   */
  public static Topology build(InferenceSettings settings, Serving serving) {
    String model = settings.model();
    String registryTopic = settings.topics().models();
    String labeledTopic = settings.topics().labeled();
    int maxPending = settings.maxPendingEvents();
    int batchMax = settings.batchMaxSize();
    long linger = settings.batchLingerMs();
    long catchUp = settings.catchUpTimeoutMs();
    String shadowAlias = settings.shadowAlias();
    if ((shadowAlias == null) != (serving.shadow() == null)) {
      throw new IllegalArgumentException("shadow.alias is '" + (shadowAlias == null ? "" : shadowAlias)
          + "' but the serving holders " + (serving.shadow() == null ? "have no" : "have a") + " shadow model");
    }
    CanarySplit canary = settings.canary();
    if ((canary == null) != (serving.canary() == null)) {
      throw new IllegalArgumentException("canary.alias is '" + (canary == null ? "" : canary.alias())
          + "' but the serving holders " + (serving.canary() == null ? "have no" : "have a") + " canary model");
    }
    List<RegistryFollower.Target> targets = new ArrayList<>();
    targets.add(new RegistryFollower.Target(model, settings.alias(), serving.primary()));
    if (shadowAlias != null) {
      targets.add(new RegistryFollower.Target(model, shadowAlias, serving.shadow()));
    }
    if (canary != null) {
      targets.add(new RegistryFollower.Target(model, canary.alias(), serving.canary()));
    }

    Topology t = new Topology();
    t.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REGISTRY_STORE), Serdes.String(),
            Serdes.ByteArray()).withLoggingDisabled(),
        "registry-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        registryTopic, "registry-follower",
        () -> new RegistryFollower(model, registryTopic, List.copyOf(targets), serving.refusals(), settings.input()));
    t.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        settings.inputTopics().toArray(String[]::new));
    t.addProcessor(PREDICT, () -> new ModelLogged<>(model, new PredictProcessor(serving, maxPending, batchMax,
        linger, catchUp, labeledTopic, settings.input(), settings.kafka().clientProperties(), settings.alias(),
        shadowAlias, canary)), SOURCE);
    // Changelogged, so queued events survive a crash with their committed offsets; cached, so the
    // changelog gets at most batch.max.size records per commit, not one per event (package-info).
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(QUEUE_STORE),
        Serdes.Long(), Serdes.ByteArray()).withCachingEnabled(), PREDICT);
    t.addSink(PREDICTIONS_SINK, settings.topics().predictions(),
        Serdes.String().serializer(), Serdes.ByteArray().serializer(), PREDICT);
    if (shadowAlias != null) {
      t.addSink(SHADOW_SINK, settings.shadowTopic(),
          Serdes.String().serializer(), Serdes.ByteArray().serializer(), PREDICT);
    }
    t.addSink(DEAD_LETTER_SINK, settings.topics().deadLetter(),
        Serdes.String().serializer(), Serdes.ByteArray().serializer(), PREDICT);
    return t;
  }
}
