package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.app.OpsServer;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code train --http-port}: a trainer with its {@link OpsServer} listening on a free loopback
 * port, on the embedded broker. {@code /health/ready} says why it is not ready before it has
 * started, and is 200 once it runs; {@code /metrics}, scraped twice while events flow and parsed
 * by the Prometheus client's own text parser (python3-prometheus-client), shows the trainer's
 * families with their types and its counters moving; once a second trainer of the model fences it,
 * {@code /health/live} is 503 and says so.
 */
class TrainerOpsIT extends BrokerIT {
  private static final String MODEL = "opsmodel";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void theTrainersMetricsMoveWhileEventsFlowAndItsProbesTellReadinessAndAFencedLoop() throws Exception {
    LoopHarness h = new LoopHarness(kafka, MODEL);
    h.createTopics();
    TrainerConfig config = h.trainerConfig(8, "dense(16,relu) > dense(4,softmax)", Map.of(
        TrainerConfig.CHECKPOINT_TOPIC, "trainer-state-" + h.suffix, TrainerConfig.CHECKPOINT_EVERY_MS, "500",
        TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.GATE_MARGIN, "1"));
    String labeled = h.topic(CommonKeys.LABELED_TOPIC);
    try (OpsServer ops = new OpsServer("trainer")) {
      int port = ops.start(HttpSettings.loopback(0)).orElseThrow();
      Trainer trainer = new Trainer(config, ops);

      HttpResponse<String> before = get(port, "/health/ready");
      assertEquals(503, before.statusCode(), "not ready before it runs: " + before.body());
      assertEquals("partitions not assigned yet",
          json.readTree(before.body()).path("reasons").path("trainer:" + MODEL).asText(), before.body());

      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread loop = new Thread(trainer, "ops-trainer");
      loop.setUncaughtExceptionHandler((t, e) -> failure.set(e));
      loop.start();
      GaussianBlobs blobs = new GaussianBlobs(4, 8, 21, 0.0);
      AtomicReference<Exception> produceFailure = new AtomicReference<>();
      Thread producer = new Thread(() -> {
        try {
          h.produce(blobs, 0, 20_000, 0, 2_000); // about 10 s of events: the scrapes' window
        } catch (Exception e) {
          produceFailure.set(e);
        }
      }, "ops-producer");
      producer.start();
      Trainer second = null;
      try {
        LoopHarness.await(() -> status(port, "/health/ready") == 200, Duration.ofSeconds(60),
            () -> "ready once it runs: " + body(port, "/health/ready"));

        LoopHarness.await(() -> sample(scrape(port), "streamlearn_examples_trained_total") > 0,
            Duration.ofSeconds(60), () -> "the trainer trains: " + trainer.status());
        PrometheusText first = scrape(port);
        double trained = sample(first, "streamlearn_examples_trained_total");
        AtomicReference<PrometheusText> last = new AtomicReference<>();
        LoopHarness.await(() -> {
          last.set(scrape(port));
          // a checkpoint commits every 500 ms: wait for one after the first scrape too, not only for
          // more examples (the counters move at different moments)
          return sample(last.get(), "streamlearn_examples_trained_total") > trained
              && sample(last.get(), "streamlearn_trainer_versions_published_total") >= 1
              && sample(last.get(), "streamlearn_trainer_checkpoints_total")
                  > sample(first, "streamlearn_trainer_checkpoints_total");
        }, Duration.ofSeconds(60), () -> "the counters move and a version is published: " + trainer.status());
        PrometheusText second2 = last.get();

        Map<String, String> types = Map.ofEntries(
            Map.entry("streamlearn_examples_trained", "counter"),
            Map.entry("streamlearn_examples_held_out", "counter"),
            Map.entry("streamlearn_examples_dead_lettered", "counter"),
            Map.entry("streamlearn_trainer_batch_duration_seconds", "summary"),
            Map.entry("streamlearn_trainer_consumer_lag", "gauge"),
            Map.entry("streamlearn_trainer_checkpoint_age_seconds", "gauge"),
            Map.entry("streamlearn_trainer_checkpoints", "counter"),
            Map.entry("streamlearn_trainer_versions_published", "counter"),
            Map.entry("streamlearn_trainer_gate_rejections", "counter"),
            Map.entry("streamlearn_trainer_rollbacks", "counter"),
            Map.entry("streamlearn_trainer_drifts", "counter"),
            Map.entry("streamlearn_trainer_prequential_accuracy", "gauge"),
            Map.entry("streamlearn_trainer_prequential_loss", "gauge"),
            Map.entry("streamlearn_trainer_learning_rate", "gauge"),
            Map.entry("streamlearn_trainer_last_version", "gauge"));
        for (PrometheusText scrape : List.of(first, second2)) {
          types.forEach((name, type) -> {
            PrometheusText.Family f = scrape.family(name);
            assertEquals(type, f.type(), name);
            f.samples().forEach(s -> assertEquals(MODEL, s.labels().get("model"), s.toString()));
          });
        }
        assertTrue(sample(second2, "streamlearn_trainer_checkpoints_total")
            > sample(first, "streamlearn_trainer_checkpoints_total"), "checkpoints committed in between");
        assertTrue(sample(second2, "streamlearn_trainer_batch_duration_seconds_count")
            > sample(first, "streamlearn_trainer_batch_duration_seconds_count"), "batches timed in between");
        assertTrue(sample(second2, "streamlearn_trainer_last_version") >= 1, "a version number");
        Set<String> partitions = new TreeSet<>();
        for (PrometheusText.Sample s : second2.family("streamlearn_trainer_consumer_lag").samples()) {
          assertEquals(labeled, s.labels().get("topic"), s.toString());
          partitions.add(s.labels().get("partition"));
        }
        assertEquals(Set.of("0", "1", "2"), partitions, "a lag per input partition");
        assertTrue(clientSample(second2, "kafka_consumer_fetch_manager_records_consumed_total",
            "consumer-streamlearn-trainer-" + MODEL), "the consumer's Kafka client metrics: " + second2.families().keySet());
        assertTrue(clientSample(second2, "kafka_producer_record_send_total", "producer-streamlearn-trainer-" + MODEL),
            "the producer's Kafka client metrics: " + second2.families().keySet());
        second2.family("jvm_memory_used_bytes"); // JVM metrics too
        assertEquals(200, status(port, "/health/live"), "alive while it trains");

        // A second trainer of the model fences the first (its transactional id) as it starts; the
        // first learns it at its next transaction, once it has new events to commit.
        Trainer fencing = new Trainer(config, new OpsServer("second-trainer"));
        second = fencing;
        new Thread(fencing, "ops-fencing-trainer").start();
        LoopHarness.await(() -> fencing.readiness().isEmpty(), Duration.ofSeconds(60),
            () -> "the second trainer runs: " + fencing.readiness());
        h.produce(new GaussianBlobs(4, 8, 22, 0.0), 100_000, 2_000, 0, 4_000);
        LoopHarness.await(() -> !loop.isAlive(), Duration.ofSeconds(90),
            () -> "the first trainer is fenced: " + trainer.status());
        Throwable ended = failure.get();
        assertNotNull(ended, "the fenced loop ends with an error");
        HttpResponse<String> live = get(port, "/health/live");
        assertEquals(503, live.statusCode(), live.body());
        String reason = json.readTree(live.body()).path("reasons").path("trainer:" + MODEL).asText();
        // Kafka 4.3's coordinator answers a commit racing with the fencing abort INVALID_TXN_STATE
        // instead of PRODUCER_FENCED (KAFKA-20785): the loop ends either way, named as it ended.
        assertTrue(reason.startsWith(Trainer.fenced(ended) ? "fenced: another trainer of model " + MODEL
            : "the training loop failed: " + ended), reason);
        assertTrue(reason.endsWith("; restart the process"), reason);
        assertEquals(503, status(port, "/health/ready"), "a fenced trainer is not ready either");
      } finally {
        if (second != null) {
          second.stop();
          assertTrue(second.awaitStopped(Duration.ofSeconds(60)), "the second trainer stops");
          second.ops().close();
        }
        trainer.stop();
        loop.join(TimeUnit.SECONDS.toMillis(60));
        producer.join(TimeUnit.SECONDS.toMillis(120));
      }
      if (produceFailure.get() != null) {
        throw produceFailure.get();
      }
    }
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private int status(int port, String path) {
    try {
      return get(port, path).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String body(int port, String path) {
    try {
      return get(port, path).body();
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  private static PrometheusText scrape(int port) {
    return PrometheusText.scrape("http://127.0.0.1:" + port);
  }

  /** Whether a sample of that name comes from a Kafka client whose id starts with {@code clientId}. */
  private static boolean clientSample(PrometheusText scrape, String sampleName, String clientId) {
    return !scrape.samples(sampleName, l -> l.getOrDefault("client_id", "").startsWith(clientId)).isEmpty();
  }

  /** The value of the trainer's sample of that name (tagged with its model); NaN when absent. */
  private static double sample(PrometheusText scrape, String sampleName) {
    return scrape.sum(sampleName, PrometheusText.label("model", MODEL));
  }
}
