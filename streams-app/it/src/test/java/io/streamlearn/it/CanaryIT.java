package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.bench.RandomVersions;
import io.streamlearn.bench.VersionPublisher;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.eval.EvaluationService;
import io.streamlearn.schema.Prediction;
import io.streamlearn.serve.CanarySplit;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.serve.ServedModel;
import io.streamlearn.testkit.gen.GaussianBlobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inference with a canary alias and the evaluation on a real broker: the canary scores its share
 * of the keys, every event gets one prediction, and the evaluation has served figures for both
 * aliases.
 */
class CanaryIT extends BrokerIT {
  private static final Logger log = LoggerFactory.getLogger(CanaryIT.class);
  private static final String MODEL = "canaried";
  private static final String CANARY = "canary";
  private static final double SHARE = 0.2;
  private static final int FEATURES = 8;
  private static final String LAYERS = "dense(4,softmax)";
  private static final int EVENTS = 6_000;

  @Test
  void theCanaryScoresItsShareOfKeysAndBothAliasesHaveServedFigures() throws Exception {
    LoopHarness h = new LoopHarness(kafka, MODEL);
    h.createTopics();
    InferenceConfig config = h.inferenceConfig(Map.of(InferenceConfig.CANARY_ALIAS, CANARY,
        InferenceConfig.CANARY_SHARE, String.valueOf(SHARE)));
    CanarySplit split = config.settings().canary();
    try (InferenceService inference = new InferenceService(config);
         EvaluationService evaluation = new EvaluationService(new EvaluationConfig(h.evaluationSettings(Map.of())).settings());
         VersionPublisher publisher = new VersionPublisher(kafka.bootstrapServers(), h.topic(CommonKeys.MODELS_TOPIC));
         KafkaConsumer<String, byte[]> predictions = h.predictionsConsumer()) {
      inference.start();
      evaluation.start();
      publisher.publish(RandomVersions.create(MODEL, 1, FEATURES, LAYERS, 1), CommonKeys.DEFAULT_ALIAS);
      publisher.publish(RandomVersions.create(MODEL, 2, FEATURES, LAYERS, 2), CANARY);
      LoopHarness.await(() -> version(inference.serving().primary()) == 1 && version(inference.serving().canary()) == 2,
          Duration.ofSeconds(60), () -> "live serves version 1 and the canary version 2");

      List<String> ids = h.produce(new GaussianBlobs(4, FEATURES, 7, 0), 0, EVENTS, 0, 2_000);
      List<LoopHarness.Read> reads = new ArrayList<>();
      LoopHarness.pollUntil(predictions, reads, () -> reads.size() >= ids.size(), Duration.ofSeconds(120));
      assertEquals(EVENTS, reads.size(), "one prediction per event");
      Set<String> seen = new HashSet<>();
      long canaried = 0;
      for (LoopHarness.Read r : reads) {
        Prediction p = r.prediction();
        assertTrue(seen.add(p.getId()), "a second prediction of " + p.getId());
        boolean toCanary = split.routes(p.getId());
        assertEquals(toCanary ? CANARY : CommonKeys.DEFAULT_ALIAS, p.getAlias(), p.getId());
        assertEquals(toCanary ? 2 : 1, p.getModelVersion(), p.getId());
        canaried += toCanary ? 1 : 0;
      }
      // The split is a pure function of the keys; a fair hash puts binomial(6,000, 0.2) of them on
      // the canary: 1,200 +- 31 (sd). Allowed: 4 sd either side.
      double sd = Math.sqrt(EVENTS * SHARE * (1 - SHARE));
      assertTrue(Math.abs(canaried - EVENTS * SHARE) <= 4 * sd,
          "canary predictions " + canaried + " of " + EVENTS + " at share " + SHARE + " (sd " + sd + ")");
      assertEquals(canaried, inference.metrics().getCanaryPredictionsTotal(), "predictions_total{alias=canary}");
      assertEquals(EVENTS - canaried, inference.metrics().getPredictionsTotal(), "predictions_total{alias=live}");
      // the same split as Prometheus reads it (the text of GET /metrics, parsed by Prometheus' own parser)
      PrometheusText scrape = PrometheusText.parse(inference.ops().scrape());
      assertEquals(canaried, scrape.sum("streamlearn_predictions_total", PrometheusText.label("alias", CANARY)
          .and(PrometheusText.label("version", "2"))), 0, "streamlearn_predictions_total{alias=canary,version=2}");
      assertEquals(EVENTS - canaried, scrape.sum("streamlearn_predictions_total",
          PrometheusText.label("alias", CommonKeys.DEFAULT_ALIAS)), 0, "streamlearn_predictions_total{alias=live}");
      assertEquals(canaried, scrape.sum("streamlearn_prediction_latency_seconds_count",
          PrometheusText.label("alias", CANARY)), 0, "one latency sample per canary prediction");

      long onCanary = canaried;
      LoopHarness.await(() -> evaluated(evaluation, CANARY) == onCanary
              && evaluated(evaluation, CommonKeys.DEFAULT_ALIAS) == EVENTS - onCanary, Duration.ofSeconds(120),
          () -> "every prediction evaluated under its alias: live " + evaluation.served("live") + ", canary "
              + evaluation.served(CANARY));
      EvaluationService.Served live = evaluation.served(CommonKeys.DEFAULT_ALIAS);
      EvaluationService.Served canary = evaluation.served(CANARY);
      assertTrue(Double.isFinite(live.accuracy()) && Double.isFinite(canary.accuracy()),
          "served accuracy per alias: live " + live + ", canary " + canary);
      log.info("canary share {}: {} of {} predictions; served live {} canary {}", SHARE, canaried, EVENTS, live,
          canary);
    }
  }

  private static long version(ServedModel served) {
    ServedModel.Current c = served.current();
    return c == null ? -1 : c.version().version();
  }

  private static long evaluated(EvaluationService evaluation, String alias) {
    EvaluationService.Served s = evaluation.served(alias);
    return s.evaluated() + s.leaked();
  }
}
