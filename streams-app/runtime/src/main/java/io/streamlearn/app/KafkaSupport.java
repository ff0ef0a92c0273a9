package io.streamlearn.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kafka plumbing shared by the apps. */
public final class KafkaSupport {
  private static final Logger log = LoggerFactory.getLogger(KafkaSupport.class);
  /** Largest registry record: models beyond it need chunking. */
  public static final int MAX_MODEL_BYTES = 16 * 1024 * 1024;

  private KafkaSupport() {}

  /** Client properties: bootstrap servers plus the pass-through properties. */
  public static Map<String, Object> clientProperties(String bootstrapServers,
                                                     Map<String, Object> passThrough) {
    Map<String, Object> props = new HashMap<>(passThrough);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /**
   * Waits until every partition of {@code topics} has a leader. A produce request to a partition
   * created a moment ago can fail with NOT_LEADER_OR_FOLLOWER after the broker appended it, and
   * Kafka 4.3's idempotent producer then restarts that partition's sequence at 0 and retries
   * OUT_OF_ORDER_SEQUENCE_NUMBER forever; not producing before the leaders exist avoids it.
   */
  private static void awaitLeaders(Admin admin, List<String> topics)
      throws ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      boolean ready;
      try {
        ready = admin.describeTopics(topics).allTopicNames().get().values().stream()
            .flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null && !p.leader().isEmpty());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
        ready = false; // created, not yet in this broker's metadata
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("partitions of " + topics + " have no leader 30 s after creation");
      }
      Thread.sleep(20);
    }
  }

  /** What a topic should look like when this app creates it. */
  public record TopicSpec(String name, int partitions, Map<String, String> configs) {}

  /** An event topic (delete retention). */
  public static TopicSpec eventTopic(String name, int partitions) {
    return new TopicSpec(name, partitions, Map.of());
  }

  /**
   * The dead-letter topic: it keeps each refused value as it came, so it takes values as large as
   * any input topic may hold.
   */
  public static TopicSpec deadLetterTopic(String name) {
    return new TopicSpec(name, 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MODEL_BYTES)));
  }

  /** The compacted registry topic: one partition so versions and aliases are totally ordered. */
  public static TopicSpec registryTopic(String name) {
    return new TopicSpec(name, 1, Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MODEL_BYTES),
        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "60000"));
  }

  /**
   * A trainer group's sync topic: compacted, partition 0 for the rounds every member follows,
   * partition 1 for the contributions only the publishing member reads; segments roll every minute
   * so the cleaner keeps what a new member or publisher reads short.
   */
  public static TopicSpec syncTopic(String name) {
    return new TopicSpec(name, 2, Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MODEL_BYTES),
        TopicConfig.SEGMENT_MS_CONFIG, "60000",
        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1",
        TopicConfig.DELETE_RETENTION_MS_CONFIG, "600000"));
  }

  /** Creates the missing topics; existing ones are left as they are. */
  public static void ensureTopics(Map<String, Object> clientProps, short replicationFactor,
                                  List<TopicSpec> topics) {
    try (Admin admin = Admin.create(clientProps)) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (TopicSpec t : topics) {
        if (!existing.contains(t.name()) && missing.stream().noneMatch(n -> n.name().equals(t.name()))) {
          missing.add(new NewTopic(t.name(), Optional.of(t.partitions()),
              replicationFactor < 1 ? Optional.empty() : Optional.of(replicationFactor))
              .configs(t.configs()));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      for (var e : admin.createTopics(missing).values().entrySet()) {
        try {
          e.getValue().get();
          log.info("created topic {}", e.getKey());
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + e.getKey() + ": "
                + ex.getCause().getMessage(), ex.getCause());
          }
        }
      }
      awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot list topics on the cluster: " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
