package io.streamlearn.eval;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the evaluation topology. Two sub-topologies, joined by the internal topic {@link
 * EvaluationSettings#byVersionTopic()}:
 *
 * <ol>
 *   <li>predictions and labels, both keyed by event id (so they must be co-partitioned) →
 *       {@link EvaluationJoin} → evaluations (keyed by id) and the by-version topic (keyed {@code
 *       model:version@alias}); undecodable records → the dead-letter topic;
 *   <li>the by-version topic → {@link ServedAggregator} → served metrics;
 *   <li>the by-version topic re-keyed by alias → {@link RollbackGuard} → alias moves back and
 *       alerts ({@link RollbackBranch}).
 * </ol>
 *
 * <p>With a shadow alias, {@link ChallengerTopology} adds the paired test of the challenger
 * against the served alias. With drift on, {@link DriftTopology} watches the served inputs against
 * the served version's reference sketch.
 *
 * <p>The registry topic feeds a global store ({@link RegistryMirror}) from which the join judges
 * leaks ({@link Lineages}). All stores are in memory and changelogged: their size is bounded by
 * the label window and the metrics retention, and a restarted instance restores them, so pending
 * pairs and done markers survive a restart.
 */
public final class EvaluationTopology {
  static final String REGISTRY_STORE = "evaluation-registry";
  static final String PENDING_STORE = "evaluation-pending-predictions";
  static final String LABELS_STORE = "evaluation-labels";
  static final String DONE_STORE = "evaluation-done";
  static final String EXPIRY_STORE = "evaluation-expiry";
  static final String WINDOWS_STORE = "served-windows";
  /** The all-time served figures per {@code model:version@alias}; queryable. */
  public static final String TOTALS_STORE = "served-totals";
  static final String JOIN = "join";
  static final String AGGREGATE = "aggregate";
  static final String EVALUATIONS_SINK = "evaluations";
  static final String BY_VERSION_SINK = "by-version";
  static final String DEAD_LETTER_SINK = "dead-letter";
  static final String SERVED_METRICS_SINK = "served-metrics";

  private EvaluationTopology() {}

  /**
   * The topology of these settings, without auto-promotion. Side-effect free: the service and the
   * tests call it alike.
   *
   * @throws IllegalArgumentException when the settings ask for auto-promotion (it needs a promoter)
   */
  public static Topology build(EvaluationSettings settings) {
    if (settings.challenger().autoPromote()) {
      throw new IllegalArgumentException("auto-promotion needs a promoter: build(settings, promoter)");
    }
    return build(settings, ChallengerPromoter.none(), EvaluationMeters.NONE);
  }

  /** The topology of these settings; a better challenger is promoted through {@code promoter}. */
  public static Topology build(EvaluationSettings settings, ChallengerPromoter promoter) {
    return build(settings, promoter, EvaluationMeters.NONE);
  }

  /**
   * The topology of these settings: a better challenger is promoted through {@code promoter}, and
   * {@code meters} hear what it evaluates and rolls back.
   */
  public static Topology build(EvaluationSettings settings, ChallengerPromoter promoter, EvaluationMeters meters) {
    Topology t = new Topology();
    t.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(REGISTRY_STORE), Serdes.String(),
            Serdes.ByteArray()).withLoggingDisabled(),
        "registry-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        settings.topics().models(), "registry-mirror", RegistryMirror::new);

    List<String> inputs = new ArrayList<>(settings.predictionTopics());
    inputs.add(settings.labelsTopic());
    t.addSource("predictions-and-labels", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        inputs.toArray(String[]::new));
    t.addProcessor(JOIN, () -> new EvaluationJoin(settings.model(), settings.labelsTopic(), settings.labelWindowMs()),
        "predictions-and-labels");
    for (String store : List.of(PENDING_STORE, LABELS_STORE, DONE_STORE, EXPIRY_STORE)) {
      t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(),
          Serdes.ByteArray()), JOIN);
    }
    t.addSink(EVALUATIONS_SINK, settings.evaluationsTopic(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), JOIN);
    t.addSink(BY_VERSION_SINK, settings.byVersionTopic(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), JOIN);
    t.addSink(DEAD_LETTER_SINK, settings.topics().deadLetter(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), JOIN);

    t.addSource("by-version-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        settings.byVersionTopic());
    t.addProcessor(AGGREGATE, () -> new ServedAggregator(settings.metricsWindowMs(), settings.publishIntervalMs()),
        "by-version-source");
    t.addStateStore(Stores.windowStoreBuilder(Stores.inMemoryWindowStore(WINDOWS_STORE,
        Duration.ofMillis(settings.metricsRetentionMs()), Duration.ofMillis(settings.metricsWindowMs()), false),
        Serdes.String(), Serdes.ByteArray()), AGGREGATE);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TOTALS_STORE), Serdes.String(),
        Serdes.ByteArray()), AGGREGATE);
    t.addSink(SERVED_METRICS_SINK, settings.servedMetricsTopic(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), AGGREGATE);
    if (settings.challenger().enabled()) {
      ChallengerTopology.add(t, settings, promoter);
    }
    RollbackBranch.add(t, settings, "by-version-source", meters);
    if (settings.drift().enabled()) {
      DriftTopology.add(t, settings);
    }
    return t;
  }
}
