package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.CommonKeys;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.ChallengerVerdict;
import io.streamlearn.schema.ChallengerVerdictType;
import io.streamlearn.schema.Evaluation;
import io.streamlearn.schema.LabelSource;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The challenger branch of the real evaluation topology on {@link TopologyTestDriver}. */
class ChallengerTopologyTest {
  private static final String MODEL = "m";
  private final AvroSerde<Prediction> predictions = AvroSerde.of(Prediction.class);
  private final AvroSerde<Evaluation> evaluations = AvroSerde.of(Evaluation.class);
  private final AvroSerde<ChallengerVerdict> verdicts = AvroSerde.of(ChallengerVerdict.class);
  private final AvroSerde<TrainingEvent> events = AvroSerde.of(TrainingEvent.class);
  private final List<String> moves = new ArrayList<>();
  private ChallengerPromoter.Outcome answer = ChallengerPromoter.Outcome.MOVED;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> liveIn;
  private TestInputTopic<String, byte[]> shadowIn;
  private TestInputTopic<String, byte[]> evaluationsIn;
  private TestOutputTopic<String, byte[]> verdictsOut;
  private TestOutputTopic<String, byte[]> metricsOut;

  private void start(boolean autoPromote) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put(CommonKeys.MODEL_NAME, MODEL);
    settings.put(CommonKeys.SHADOW_ALIAS, "challenger");
    settings.put(EvaluationConfig.AUTO_PROMOTE_CHALLENGER, String.valueOf(autoPromote));
    settings.put(EvaluationConfig.PUBLISH_INTERVAL_MS, "1000");
    settings.put(EvaluationConfig.STATE_DIR, Files.createTempDirectory("challenger-test").toString());
    EvaluationConfig config = new EvaluationConfig(settings);
    Properties props = EvaluationService.streamsProperties(config.settings());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    ChallengerPromoter promoter = (model, alias, from, to, reason) -> {
      moves.add(model + "@" + alias + " " + from + "->" + to + " " + reason);
      return answer;
    };
    driver = new TopologyTestDriver(EvaluationTopology.build(config.settings(), promoter), props, Instant.EPOCH);
    StringSerializer s = new StringSerializer();
    ByteArraySerializer b = new ByteArraySerializer();
    liveIn = driver.createInputTopic(config.getString(CommonKeys.PREDICTIONS_TOPIC), s, b);
    shadowIn = driver.createInputTopic(config.getString(CommonKeys.SHADOW_TOPIC), s, b);
    evaluationsIn = driver.createInputTopic(config.getString(EvaluationConfig.EVALUATIONS_TOPIC), s, b);
    verdictsOut = driver.createOutputTopic(config.getString(EvaluationConfig.CHALLENGER_VERDICTS_TOPIC),
        new StringDeserializer(), new ByteArrayDeserializer());
    metricsOut = driver.createOutputTopic(config.getString(CommonKeys.METRICS_TOPIC), new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void tearDown() {
    if (driver != null) {
      driver.close();
    }
  }

  private static Prediction prediction(String id, String alias, long version, int predicted, int label) {
    return Prediction.newBuilder().setId(id).setEventTime(1_000).setModel(MODEL).setModelVersion(version)
        .setPredictedClass(predicted).setScores(predicted == 1 ? List.of(0.2f, 0.8f) : List.of(0.8f, 0.2f))
        .setLabel(label).setLatencyMicros(1).setAlias(alias).build();
  }

  /** One event scored by live v1 and the challenger v2; each right or not; label 1. */
  private void score(String id, boolean liveRight, boolean challengerRight) {
    Prediction live = prediction(id, "live", 1, liveRight ? 1 : 0, 1);
    Prediction shadow = prediction(id, "challenger", 2, challengerRight ? 1 : 0, 1);
    liveIn.pipeInput(id, predictions.serialize(null, live), 1_000);
    shadowIn.pipeInput(id, predictions.serialize(null, shadow), 1_000);
  }

  /** The newest verdict per pair key, after a publication. */
  private Map<String, ChallengerVerdict> published() {
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    Map<String, ChallengerVerdict> out = new LinkedHashMap<>();
    verdictsOut.readKeyValuesToList().forEach(kv -> out.put(kv.key, verdicts.deserialize(null, kv.value)));
    return out;
  }

  @Test
  void liveAndChallengerEvaluationsArePairedByEventAndTheDiscordantOnesCounted() throws Exception {
    start(false);
    for (int i = 0; i < 4; i++) {
      score("both-" + i, true, true);
    }
    score("neither", false, false);
    score("live-only", true, false);
    for (int i = 0; i < 3; i++) {
      score("challenger-only-" + i, false, true);
    }
    ChallengerVerdict v = published().get("m:1>2");
    assertEquals(9, v.getPairs(), "n: every event both evaluated");
    assertEquals(1, v.getLiveOnlyCorrect(), "b");
    assertEquals(3, v.getChallengerOnlyCorrect(), "c");
    assertEquals(3 * Math.log(1.2) + Math.log(0.8), v.getLogLikelihoodRatio(), 1e-12, "LLR");
    assertEquals(Math.log(16), v.getUpperThreshold(), 1e-12);
    assertEquals(Math.log(0.2 / 0.95), v.getLowerThreshold(), 1e-12);
    assertEquals(ChallengerVerdictType.UNDECIDED, v.getVerdict());
    assertEquals("live", v.getLiveAlias());
    assertEquals("challenger", v.getChallengerAlias());
    assertFalse(v.getPromoted());
  }

  @Test
  void anEventIsPairedOnceWhenItsEvaluationsRepeat() throws Exception {
    start(false);
    score("e1", false, true);
    // the same evaluations again straight on the evaluations topic (as after the join's window): ignored
    for (String alias : List.of("live", "challenger")) {
      Prediction p = prediction("e1", alias, alias.equals("live") ? 1 : 2, alias.equals("live") ? 0 : 1, 1);
      Evaluation e = EvaluationJoin.evaluation(p, 1, LabelSource.PREDICTION, false, 1_000);
      evaluationsIn.pipeInput("e1", evaluations.serialize(null, e), 1_500);
      evaluationsIn.pipeInput("e1", evaluations.serialize(null, e), 1_500);
    }
    ChallengerVerdict v = published().get("m:1>2");
    assertEquals(1, v.getPairs(), "one pair per event");
    assertEquals(1, v.getChallengerOnlyCorrect());
  }

  @Test
  void leakedEvaluationsAndASharedVersionAreNotPaired() throws Exception {
    start(false);
    Prediction live = prediction("leaky", "live", 1, 1, 1);
    Prediction shadow = prediction("leaky", "challenger", 2, 1, 1);
    evaluationsIn.pipeInput("leaky", evaluations.serialize(null,
        EvaluationJoin.evaluation(live, 1, LabelSource.PREDICTION, true, 1_000)), 1_000);
    evaluationsIn.pipeInput("leaky", evaluations.serialize(null,
        EvaluationJoin.evaluation(shadow, 1, LabelSource.PREDICTION, false, 1_000)), 1_000);
    Prediction same = prediction("same", "live", 2, 1, 1);
    liveIn.pipeInput("same", predictions.serialize(null, same), 1_000);
    shadowIn.pipeInput("same", predictions.serialize(null, prediction("same", "challenger", 2, 0, 1)), 1_000);
    assertTrue(published().isEmpty(), "no pair counted");
  }

  @Test
  void aBetterChallengerIsPromotedOnceWithTheEvidenceAndAnAlert() throws Exception {
    start(true);
    for (int i = 0; i < 15; i++) {
      score("c" + i, false, true);
    }
    assertTrue(moves.isEmpty(), "15 challenger-only wins: LLR 15 ln 1.2 = 2.73 < ln 16");
    score("c15", false, true);
    assertEquals(1, moves.size(), "promoted at the 16th: " + moves);
    String move = moves.get(0);
    assertTrue(move.startsWith("m@live 1->2 "), move);
    for (String evidence : List.of("b=0", "c=16", "n=16", "LLR=2.9171", "alpha=0.05", "beta=0.2")) {
      assertTrue(move.contains(evidence), "the reason names " + evidence + ": " + move);
    }
    ChallengerVerdict at = verdictsOut.readValuesToList().stream().map(x -> verdicts.deserialize(null, x))
        .reduce((a, b) -> b).orElseThrow();
    assertEquals(ChallengerVerdictType.CHALLENGER_BETTER, at.getVerdict(), "published at once");
    assertEquals(16, at.getDecidedAtPairs());
    assertTrue(at.getPromoted());
    List<TrainingEvent> alerts = metricsOut.readValuesToList().stream().map(x -> events.deserialize(null, x)).toList();
    assertEquals(1, alerts.size());
    assertEquals(TrainingEventType.ALERT, alerts.get(0).getType());
    assertEquals(2, alerts.get(0).getModelVersion());
    assertEquals(16.0, alerts.get(0).getMetrics().get("c"), 0.0);
    assertTrue(alerts.get(0).getMessage().startsWith("auto-promote: m@live v1 -> v2"), alerts.get(0).getMessage());

    for (int i = 16; i < 40; i++) {
      score("c" + i, false, true);
    }
    assertEquals(1, moves.size(), "once per pair of versions");
    ChallengerVerdict later = published().get("m:1>2");
    assertEquals(40, later.getPairs(), "still counted after the verdict");
    assertEquals(ChallengerVerdictType.CHALLENGER_BETTER, later.getVerdict(), "the verdict stands");
    assertEquals(16, later.getDecidedAtPairs());
  }

  @Test
  void aChallengerOfTheSameQualityIsNotPromoted() throws Exception {
    start(true);
    for (int i = 0; i < 200; i++) {
      score("e" + i, i % 2 == 0, i % 2 == 1); // as often right as live where they disagree
    }
    assertTrue(moves.isEmpty(), "never promoted: " + moves);
    ChallengerVerdict v = published().get("m:1>2");
    assertEquals(ChallengerVerdictType.NOT_BETTER, v.getVerdict());
    // after 2k + 1 pairs b = k + 1, c = k: LLR = k ln 0.96 + ln 0.8 <= ln(0.2 / 0.95) = -1.558 first at k = 33
    assertEquals(67, v.getDecidedAtPairs());
    assertTrue(metricsOut.isEmpty(), "no alert");
  }

  @Test
  void anAliasMovedByAPersonSinceIsLeftAloneAndNotMarkedPromoted() throws Exception {
    start(true);
    answer = ChallengerPromoter.Outcome.MOVED_ELSEWHERE;
    for (int i = 0; i < 20; i++) {
      score("c" + i, false, true);
    }
    assertEquals(1, moves.size(), "asked once");
    ChallengerVerdict v = published().get("m:1>2");
    assertEquals(ChallengerVerdictType.CHALLENGER_BETTER, v.getVerdict());
    assertFalse(v.getPromoted());
    assertTrue(metricsOut.isEmpty(), "no alert for a move not made");
  }

  @Test
  void autoPromotionWithoutAPromoterIsRefused() {
    EvaluationConfig config = new EvaluationConfig(Map.of(CommonKeys.SHADOW_ALIAS, "challenger",
        EvaluationConfig.AUTO_PROMOTE_CHALLENGER, "true"));
    assertThrows(IllegalArgumentException.class, () -> EvaluationTopology.build(config.settings()));
  }

  @Test
  void theShadowTopicIsEvaluatedWhenAShadowAliasIsSet() {
    EvaluationSettings on = new EvaluationConfig(Map.of(CommonKeys.SHADOW_ALIAS, "challenger")).settings();
    assertEquals(List.of("streamlearn.predictions", "streamlearn.predictions.shadow"), on.predictionTopics());
    EvaluationSettings off = new EvaluationConfig(Map.of()).settings();
    assertEquals(List.of("streamlearn.predictions"), off.predictionTopics());
    assertFalse(off.challenger().enabled());
  }

  @Test
  void aTallyRoundTripsThroughItsStoreFormat() {
    ChallengerTally t = new ChallengerTally(9, 1, 3, ChallengerSprt.Verdict.CHALLENGER_BETTER, 8,
        ChallengerTally.Promotion.PROMOTED);
    assertEquals(t, ChallengerTally.decode(t.encode()));
    assertEquals(ChallengerTally.empty(), ChallengerTally.decode(null));
    assertThrows(IllegalArgumentException.class, () -> ChallengerTally.decode(new byte[] {2}));
  }
}
