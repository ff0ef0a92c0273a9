package io.streamlearn.eval;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The challenger branch of the evaluation topology, added when a shadow alias is set. Two
 * sub-topologies, after the join's:
 *
 * <ol>
 *   <li>the evaluations topic (keyed by event id, so both aliases' evaluations of an event meet in
 *       one task) → {@link ChallengerPairing} → the internal pairs topic {@link
 *       EvaluationSettings#challengerPairsTopic()}, keyed {@code model:live>challenger};
 *   <li>the pairs topic → {@link ChallengerJudge} → challenger verdicts, and an {@code ALERT}
 *       training event on the metrics topic when it promotes.
 * </ol>
 *
 * <p>Every store is in memory and changelogged, as the join's are.
 */
final class ChallengerTopology {
  static final String PENDING_STORE = "challenger-pending";
  static final String DONE_STORE = "challenger-done";
  static final String EXPIRY_STORE = "challenger-expiry";
  static final String TALLY_STORE = "challenger-tallies";
  static final String PAIRING = "challenger-pairing";
  static final String JUDGE = "challenger-judge";
  static final String PAIRS_SINK = "challenger-pairs";
  static final String VERDICTS_SINK = "challenger-verdicts";
  static final String METRICS_SINK = "challenger-alerts";

  private ChallengerTopology() {}

  /** Adds the branch to {@code t}; {@code promoter} is called only with auto-promotion on. */
  static void add(Topology t, EvaluationSettings settings, ChallengerPromoter promoter) {
    ChallengerSettings c = settings.challenger();
    t.addSource("challenger-evaluations", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        settings.evaluationsTopic());
    t.addProcessor(PAIRING, () -> new ChallengerPairing(settings.model(), c, settings.labelWindowMs()),
        "challenger-evaluations");
    for (String store : new String[] {PENDING_STORE, DONE_STORE, EXPIRY_STORE}) {
      t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(),
          Serdes.ByteArray()), PAIRING);
    }
    t.addSink(PAIRS_SINK, settings.challengerPairsTopic(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), PAIRING);

    t.addSource("challenger-pairs-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        settings.challengerPairsTopic());
    t.addProcessor(JUDGE, () -> new ChallengerJudge(c, promoter, settings.publishIntervalMs()),
        "challenger-pairs-source");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TALLY_STORE), Serdes.String(),
        Serdes.ByteArray()), JUDGE);
    t.addSink(VERDICTS_SINK, c.verdictsTopic(), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        JUDGE);
    t.addSink(METRICS_SINK, settings.topics().metrics(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), JUDGE);
  }
}
