package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.schema.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class EvaluationConfigTest {
  @Test
  void defaultsReadThePredictionsAndLabelsTopicsAndWriteTheEvaluationTopics() {
    EvaluationSettings s = EvaluationConfig.fromArgs(List.of(), Map.of()).settings();
    assertEquals(List.of(Topics.PREDICTIONS), s.predictionTopics());
    assertEquals(Topics.LABELS, s.labelsTopic());
    assertEquals(Topics.EVALUATIONS, s.evaluationsTopic());
    assertEquals(Topics.SERVED_METRICS, s.servedMetricsTopic());
    assertEquals("exactly_once_v2", s.processingGuarantee());
    assertEquals("streamlearn-evaluation-evaluations-by-version", s.byVersionTopic());
  }

  @Test
  void flagsSetThePredictionTopicsAndTheWindows() {
    EvaluationSettings s = EvaluationConfig.fromArgs(List.of("--prediction-topics",
        "p,p.shadow", "--label-window-ms", "5000", "--metrics-window-ms", "1000"), Map.of()).settings();
    assertEquals(List.of("p", "p.shadow"), s.predictionTopics());
    assertEquals(5000, s.labelWindowMs());
    assertEquals(1000, s.metricsWindowMs());
  }

  @Test
  void aBadValueFailsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> EvaluationConfig.fromArgs(List.of("--label-window-ms", "0"), Map.of()));
    assertTrue(e.getMessage().contains("label.window.ms"), e.getMessage());
  }

  @Test
  void theLabelsTopicCannotAlsoBeAPredictionTopic() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluationConfig.fromArgs(
        List.of("--prediction-topics", "x", "--labels-topic", "x"), Map.of()).settings());
    assertTrue(e.getMessage().contains("labelsTopic"), e.getMessage());
  }

  @Test
  void challengerFlagsSetTheAliasesTheTestAndAutoPromotion() {
    ChallengerSettings c = EvaluationConfig.fromArgs(List.of("--shadow-alias", "challenger", "--shadow-topic", "s",
        "--challenger-alpha", "0.01", "--challenger-beta", "0.05", "--challenger-delta", "0.2",
        "--auto-promote-challenger"), Map.of()).settings().challenger();
    assertEquals("live", c.liveAlias());
    assertEquals("challenger", c.challengerAlias());
    assertEquals("s", c.shadowTopic());
    assertEquals(Topics.CHALLENGER_VERDICTS, c.verdictsTopic());
    assertEquals(new ChallengerSprt(0.01, 0.05, 0.2), c.test());
    assertTrue(c.autoPromote());
  }

  @Test
  void autoPromotionWithoutAShadowAliasFailsNamingTheFlag() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> EvaluationConfig.fromArgs(List.of("--auto-promote-challenger"), Map.of()));
    assertTrue(e.getMessage().contains("auto.promote.challenger"), e.getMessage());
  }

  @Test
  void automaticRollbackIsOnByDefaultAndItsFlagsSetTheTest() {
    RollbackRule defaults = EvaluationConfig.fromArgs(List.of(), Map.of()).settings().rollback();
    assertEquals(new RollbackRule(true, 0.01, 0.05, 0.02, 0.10, 200), defaults);
    EvaluationConfig config = EvaluationConfig.fromArgs(List.of("--auto-rollback", "false",
        "--auto-rollback-alpha", "0.05", "--auto-rollback-min-events", "50", "--http-port", "0"), Map.of());
    RollbackRule off = config.settings().rollback();
    assertEquals(false, off.enabled());
    assertEquals(0.05, off.alpha());
    assertEquals(50, off.minEvents());
    assertEquals(0, config.http().port());
    assertEquals(false, EvaluationConfig.fromArgs(List.of(), Map.of()).http().enabled(), "no server by default");
  }

  @Test
  void driftWatchesWhatInferenceReadsByDefaultAndTheFlagsSetItsWindowAndThreshold() {
    DriftSettings d = EvaluationConfig.fromArgs(List.of(), Map.of()).settings().drift();
    assertTrue(d.enabled());
    assertEquals(List.of(Topics.LABELED, Topics.FEATURES), d.inputTopics());
    assertEquals("live", d.alias());
    assertEquals(1000, d.windowEvents());
    assertEquals(0.2, d.threshold());
    DriftSettings set = EvaluationConfig.fromArgs(List.of("--drift-input-topics", "f", "--drift-window-events", "200",
        "--drift-psi-threshold", "0.1"), Map.of()).settings().drift();
    assertEquals(List.of("f"), set.inputTopics());
    assertEquals(200, set.windowEvents());
    assertEquals(0.1, set.threshold());
    assertEquals(false, EvaluationConfig.fromArgs(List.of("--drift-enabled", "false"), Map.of()).settings()
        .drift().enabled());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EvaluationConfig.fromArgs(List.of("--drift-input-topics", Topics.PREDICTIONS), Map.of()).settings());
    assertTrue(e.getMessage().contains(Topics.PREDICTIONS), e.getMessage());
  }
}
