package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
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

  @Test
  void aGroupMembersMetersReadItsCountersTaggedWithModelAndMember() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TrainerMeters meters = new TrainerMeters(registry, "fraud", () -> status(0, 0, 0),
        new TrainerHealth(STILL, 60_000));
    TrainerCore.GroupCounters counters = new TrainerCore.GroupCounters();
    AtomicBoolean publishing = new AtomicBoolean();
    meters.group(counters, publishing::get, "eu-west.1");
    Tags tags = Tags.of("model", "fraud", "member", "eu-west.1");
    Map<String, ToDoubleFunction<TrainerCore.GroupCounters>> totals = Map.of(
        TrainerMeters.GROUP_CONTRIBUTIONS, c -> c.contributions,
        TrainerMeters.GROUP_CONTRIBUTION_BYTES, c -> c.contributionBytes,
        TrainerMeters.GROUP_ROUNDS_ADOPTED, c -> c.roundsAdopted,
        TrainerMeters.GROUP_ROUNDS_FOLDED, c -> c.roundsFolded,
        TrainerMeters.GROUP_ROUND_BYTES, c -> c.roundBytes,
        TrainerMeters.GROUP_REFUSED_COMMITS, c -> c.refusedCommits);
    totals.forEach((name, field) ->
        assertEquals(0, registry.get(name).tags(tags).functionCounter().count(), name + " starts at 0"));
    assertEquals(0, registry.get(TrainerMeters.GROUP_PARTITIONS).tags(tags).gauge().value());
    assertEquals(0, registry.get(TrainerMeters.GROUP_PUBLISHING).tags(tags).gauge().value());

    counters.contributions = 12;
    counters.contributionBytes = 3_000_000;
    counters.roundsAdopted = 9;
    counters.roundsFolded = 4;
    counters.roundBytes = 1_500_000;
    counters.refusedCommits = 2;
    counters.partitions = 3;
    publishing.set(true);
    totals.forEach((name, field) -> assertEquals(field.applyAsDouble(counters),
        registry.get(name).tags(tags).functionCounter().count(), name));
    assertEquals(12, registry.get(TrainerMeters.GROUP_CONTRIBUTIONS).tags(tags).functionCounter().count());
    assertEquals(3, registry.get(TrainerMeters.GROUP_PARTITIONS).tags(tags).gauge().value());
    assertEquals(1, registry.get(TrainerMeters.GROUP_PUBLISHING).tags(tags).gauge().value());
    publishing.set(false);
    assertEquals(0, registry.get(TrainerMeters.GROUP_PUBLISHING).tags(tags).gauge().value(), "stepped down");

    meters.close();
    assertTrue(registry.find(TrainerMeters.GROUP_CONTRIBUTIONS).meters().isEmpty(), "closed: the group's meters too");
  }

  @Test
  void theGroupMetersHaveTheirPrometheusNamesAndTypes() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TrainerMeters meters = new TrainerMeters(registry, "fraud", () -> status(0, 0, 0),
        new TrainerHealth(STILL, 60_000));
    TrainerCore.GroupCounters counters = new TrainerCore.GroupCounters();
    counters.contributionBytes = 4_096;
    meters.group(counters, () -> true, "a");
    String text = registry.scrape();
    Map<String, String> types = Map.of(
        "streamlearn_trainer_group_contributions_total", "counter",
        "streamlearn_trainer_group_contribution_bytes_total", "counter",
        "streamlearn_trainer_group_rounds_adopted_total", "counter",
        "streamlearn_trainer_group_rounds_folded_total", "counter",
        "streamlearn_trainer_group_round_bytes_total", "counter",
        "streamlearn_trainer_group_refused_commits_total", "counter",
        "streamlearn_trainer_group_partitions", "gauge",
        "streamlearn_trainer_group_publishing", "gauge");
    types.forEach((name, type) ->
        assertTrue(text.contains("# TYPE " + name + " " + type + "\n"), name + " is a " + type + " in:\n" + text));
    assertTrue(text.contains("streamlearn_trainer_group_contribution_bytes_total{member=\"a\",model=\"fraud\"} 4096.0"),
        text);
    assertTrue(text.contains("streamlearn_trainer_group_publishing{member=\"a\",model=\"fraud\"} 1.0"), text);
    meters.close();
  }

  @Test
  void aTrainerOnItsOwnHasNoGroupMeters() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TrainerMeters meters = new TrainerMeters(registry, "fraud", () -> status(0, 0, 0),
        new TrainerHealth(STILL, 60_000));
    String text = registry.scrape();
    assertTrue(text.contains("streamlearn_trainer_last_version"), text);
    assertFalse(text.contains("streamlearn_trainer_group_"), text);
    meters.close();
  }
}
