package io.streamlearn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.it.BrokerIT;
import io.streamlearn.testkit.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The registry on a real broker: publish, promote, rollback, retention, restart, policy. */
class KafkaRegistryIT extends BrokerIT {

  private static String newTopic() {
    String topic = "models-" + UUID.randomUUID().toString().substring(0, 8);
    kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
    return topic;
  }

  private static Map<String, Object> client() {
    return Map.of("bootstrap.servers", kafka.bootstrapServers());
  }

  /** Everything a registry knows, as comparable text. */
  static Map<String, Object> snapshot(Registry r) {
    return r.read(s -> {
      Map<String, Object> out = new LinkedHashMap<>();
      for (String model : s.models()) {
        List<String> versions = new ArrayList<>();
        s.versions(model).values().forEach(v -> versions.add(v.key() + " " + v.checksum() + " chunks="
            + s.chunking(model, v.version()).map(ChunkManifest::count).orElse(0)));
        out.put(model + " versions", versions);
        out.put(model + " aliases", new java.util.TreeMap<>(s.aliases(model)));
        out.put(model + " history", s.history(model));
      }
      return out;
    });
  }

  @Test
  void publishPromoteRollbackRetainAndRebuildAfterRestart() {
    String topic = newTopic();
    ModelVersion big = Samples.dense("m", 3, 600, 512, 0.1f);
    Map<String, Object> before;
    try (KafkaRegistry registry = KafkaRegistry.open(client(), topic)) {
      registry.publish(Samples.dense("m", 1, 4, 3, 0f));
      registry.publish(Samples.dense("m", 2, 4, 3, 0.5f));
      assertTrue(big.tensorBytes() > 1_000_000, "version 3 is over 1 MB");
      registry.publish(big);
      assertEquals(big, registry.version("m", 3).orElseThrow(), "the chunked version reads back whole");
      assertTrue(registry.read(s -> s.chunking("m", 3)).isPresent(), "version 3 was stored in chunks");

      RegistryException notNewer = assertThrows(RegistryException.class,
          () -> registry.publish(Samples.dense("m", 2, 4, 3, 9f)));
      assertEquals(RegistryException.Kind.CONFLICT, notNewer.kind(), notNewer.getMessage());
      assertEquals(RegistryException.Kind.NOT_FOUND, assertThrows(RegistryException.class,
          () -> registry.promote("m", 9, "it", "no such version")).kind());
      assertEquals(RegistryException.Kind.NOT_FOUND, assertThrows(RegistryException.class,
          () -> registry.rollback("m", "live", "it", "no live yet")).kind());

      registry.promote("m", 1, "alice", "first");
      registry.promote("m", 2, "alice", "second");
      AliasMove third = registry.promote("m", 3, "bob", "bigger");
      assertEquals(2, third.previousVersion());
      assertEquals(3, registry.aliased("m", "live").orElseThrow().version());
      AliasMove back = registry.rollback("m", "live", "carol", "regression");
      assertEquals(2, back.version(), "rollback goes to the previous live version");
      assertEquals(1, registry.rollback("m", "live", "carol", "again").version(), "and further back");
      assertEquals(RegistryException.Kind.CONFLICT, assertThrows(RegistryException.class,
          () -> registry.rollback("m", "live", "carol", "nothing left")).kind());

      registry.setAlias("m", "champion", 3, "dave", "a/b test");
      registry.setAlias("m", "challenger", 2, "dave", "a/b test");
      registry.deleteAlias("m", "challenger", "dave", "done");
      assertEquals(Map.of("live", 1L, "champion", 3L), registry.read(s -> {
        Map<String, Long> m = new java.util.HashMap<>();
        s.aliases("m").forEach((a, move) -> m.put(a, move.version()));
        return m;
      }));
      List<String> history = registry.history("m").stream()
          .map(c -> c.alias() + ":" + c.action() + ":" + c.version()).toList();
      assertEquals(List.of("live:MOVE:1", "live:MOVE:2", "live:MOVE:3", "live:ROLLBACK:2", "live:ROLLBACK:1",
          "champion:MOVE:3", "challenger:MOVE:2", "challenger:DELETE:2"), history);

      registry.publish(Samples.dense("m", 4, 4, 3, 1f));
      assertEquals(List.of(2L), registry.retain("m", 1), "keeps the newest (4) and the aliased (1 live, 3 champion)");
      assertEquals(List.of(1L, 3L, 4L), List.copyOf(registry.versions("m").keySet()));
      before = snapshot(registry);
    }

    try (KafkaRegistry restarted = KafkaRegistry.open(client(), topic)) {
      assertEquals(before, snapshot(restarted), "a new registry rebuilds the same state from the topic");
    }
    kafka.stop();
    kafka.restart();
    try (KafkaRegistry afterBrokerRestart = KafkaRegistry.open(client(), topic)) {
      assertEquals(before, snapshot(afterBrokerRestart), "also after a broker restart");
      assertEquals(big, afterBrokerRestart.version("m", 3).orElseThrow());
    }
  }

  @Test
  void maintenanceRecordsForeignMovesAndAppliesThePolicy() throws Exception {
    String topic = newTopic();
    PromotionPolicy policy = new PromotionPolicy("holdoutAccuracy", 0.01, true, AliasMove.LIVE);
    try (RegistryMaintenance maintenance = new RegistryMaintenance(Optional.of(policy), 0, true);
         KafkaRegistry registry = new KafkaRegistry(client(), topic,
             KafkaRegistry.Options.defaults().withRecordForeignMoves(true).withOnChange(maintenance::trigger))) {
      maintenance.attach(registry);
      registry.publish(Samples.withMetrics(Samples.dense("m", 1, 4, 3, 0f), Map.of("holdoutAccuracy", 0.70)));
      Await.until(() -> registry.aliased("m", "live").map(ModelVersion::version).orElse(0L) == 1,
          Duration.ofSeconds(30), () -> "policy makes the only version live");

      // a writer that sets the alias without a change record, as the trainer does
      RegistryCodec codec = new RegistryCodec();
      registry.publish(Samples.withMetrics(Samples.dense("m", 2, 4, 3, 0f), Map.of("holdoutAccuracy", 0.60)));
      AliasMove foreign = new AliasMove("m", "live", 2, Instant.ofEpochMilli(System.currentTimeMillis()),
          "trainer", "published by the trainer", 1);
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(topic, foreign.key(), codec.encode(foreign))).get();
      }
      Await.until(() -> registry.history("m").stream().anyMatch(c -> c.version() == 2 && c.recorded()),
          Duration.ofSeconds(30), () -> "the trainer's move is recorded under its own key");
      assertTrue(registry.read(RegistryState::unrecordedChanges).isEmpty());

      registry.publish(Samples.withMetrics(Samples.dense("m", 3, 4, 3, 0f), Map.of("holdoutAccuracy", 0.605)));
      registry.publish(Samples.withMetrics(Samples.dense("m", 4, 4, 3, 0f), Map.of("holdoutAccuracy", 0.75)));
      Await.until(() -> registry.aliased("m", "live").map(ModelVersion::version).orElse(0L) == 4,
          Duration.ofSeconds(30), () -> "policy promotes version 4 (0.75 beats 0.60 by > 0.01; version 3 did not)");
      AliasChange last = registry.history("m").get(registry.history("m").size() - 1);
      assertEquals(PromotionPolicy.ACTOR, last.changedBy());
      assertFalse(registry.history("m").stream().anyMatch(c -> c.version() == 3), "3 never went live");
    }
  }
}
