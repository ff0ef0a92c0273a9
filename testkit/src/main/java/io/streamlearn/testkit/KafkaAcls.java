package io.streamlearn.testkit;

import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs streamlearn's apps need, as documented in the README: on a secured cluster the trainer
 * and the inference service read and write their topics, commit offsets in their consumer groups,
 * use transactions (the trainer's {@code streamlearn-trainer-*} and Kafka Streams' ids), and
 * create missing topics.
 */
public final class KafkaAcls {
  private KafkaAcls() {}

  /**
   * Grants {@code user} what the apps need on every topic, group and transactional id (tests use
   * unique names; a production cluster would use the prefixes in the README instead).
   */
  public static void grantApp(EmbeddedKafka kafka, String user) {
    String principal = "User:" + user;
    List<AclBinding> acls = List.of(
        allow(ResourceType.TOPIC, "*", principal, AclOperation.ALL),
        allow(ResourceType.GROUP, "*", principal, AclOperation.ALL),
        allow(ResourceType.TRANSACTIONAL_ID, "*", principal, AclOperation.ALL),
        allow(ResourceType.CLUSTER, "kafka-cluster", principal, AclOperation.CREATE),
        allow(ResourceType.CLUSTER, "kafka-cluster", principal, AclOperation.IDEMPOTENT_WRITE),
        allow(ResourceType.CLUSTER, "kafka-cluster", principal, AclOperation.DESCRIBE));
    try (Admin admin = kafka.admin()) {
      admin.createAcls(acls).all().get();
      // ACLs propagate through the metadata log; wait until the broker enforces them.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (admin.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values().get().size()
          < acls.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("ACLs not visible within 30 s");
        }
        Thread.sleep(50);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create ACLs: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating ACLs", e);
    }
  }

  private static AclBinding allow(ResourceType type, String name, String principal, AclOperation op) {
    // LITERAL "*" is Kafka's wildcard resource: it matches every name of that type.
    return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }
}
