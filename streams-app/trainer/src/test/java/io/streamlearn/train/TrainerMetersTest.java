package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The trainer's meters under their Prometheus names, types and tags, read from its status when scraped. */
class TrainerMetersTest {
  private static final TrainerClock STILL = new TrainerClock() {
    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public Instant now() {
      return Instant.EPOCH;
    }
  };

  private static TrainerStatus status(long published, long lastVersion, long deadLetters) {
    return new TrainerStatus(published, lastVersion, 1_000, deadLetters, 1, 0.875, 0.25, 1_200, 100, 2, 3, 0.01,
        0);
  }

  @Test
  void everyTrainerMeterHasItsPrometheusNameTypeAndModelTag() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<TrainerStatus> status = new AtomicReference<>(status(4, 7, 5));
    TrainerHealth health = new TrainerHealth(STILL, 60_000);
    health.assigned();
    TrainerMeters meters = new TrainerMeters(registry, "fraud", status::get, health);
    MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    TopicPartition p0 = new TopicPartition("labeled", 0);
    TopicPartition p1 = new TopicPartition("labeled", 1);
    consumer.assign(List.of(p0, p1));
    meters.partitions(Poller.inline(consumer, "labeled", 10));
    meters.batchTrained(64, 2_000_000);
    meters.batchTrained(64, 4_000_000);
    meters.checkpointCommitted();

    String text = registry.scrape();
    Map<String, String> types = Map.ofEntries(
        Map.entry("streamlearn_examples_trained_total", "counter"),
        Map.entry("streamlearn_examples_held_out_total", "counter"),
        Map.entry("streamlearn_examples_dead_lettered_total", "counter"),
        Map.entry("streamlearn_trainer_batch_duration_seconds", "summary"),
        Map.entry("streamlearn_trainer_consumer_lag", "gauge"),
        Map.entry("streamlearn_trainer_checkpoint_age_seconds", "gauge"),
        Map.entry("streamlearn_trainer_checkpoints_total", "counter"),
        Map.entry("streamlearn_trainer_versions_published_total", "counter"),
        Map.entry("streamlearn_trainer_gate_rejections_total", "counter"),
        Map.entry("streamlearn_trainer_rollbacks_total", "counter"),
        Map.entry("streamlearn_trainer_drifts_total", "counter"),
        Map.entry("streamlearn_trainer_prequential_accuracy", "gauge"),
        Map.entry("streamlearn_trainer_prequential_loss", "gauge"),
        Map.entry("streamlearn_trainer_learning_rate", "gauge"),
        Map.entry("streamlearn_trainer_last_version", "gauge"));
    types.forEach((name, type) -> {
      assertTrue(text.contains("# TYPE " + name + " " + type + "\n"), name + " is a " + type + " in:\n" + text);
    });
    assertTrue(text.contains("streamlearn_examples_trained_total{model=\"fraud\"} 128.0"), text);
    assertTrue(text.contains("streamlearn_examples_dead_lettered_total{model=\"fraud\"} 5.0"), text);
    assertTrue(text.contains("streamlearn_trainer_batch_duration_seconds_count{model=\"fraud\"} 2"), text);
    assertTrue(text.contains("streamlearn_trainer_batch_duration_seconds_sum{model=\"fraud\"} 0.006"), text);
    assertTrue(text.contains("streamlearn_trainer_last_version{model=\"fraud\"} 7.0"), text);
    assertTrue(text.contains("streamlearn_trainer_prequential_accuracy{model=\"fraud\"} 0.875"), text);
    assertTrue(text.contains("streamlearn_trainer_consumer_lag{model=\"fraud\",partition=\"1\",topic=\"labeled\"}"),
        "one lag per partition: " + text);

    status.set(status(5, 8, 6));
    String later = registry.scrape();
    assertTrue(later.contains("streamlearn_trainer_versions_published_total{model=\"fraud\"} 5.0"),
        "read from the newest status: " + later);

    meters.close();
    assertFalse(registry.scrape().contains("streamlearn_"), "closed: the trainer's meters are gone");
  }
}
