package io.streamlearn.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class SecuredEmbeddedKafkaIT {
  @Test
  void onlyAuthenticatedAndAuthorizedClientsGetIn() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startSecured()) {
      SecurityFixture tls = kafka.security();
      assertFalse(tls.toString().contains(tls.clientPassword()), "toString hides passwords");
      kafka.createTopic("secured", 1, Map.of());

      Map<String, Object> wrongPassword = new HashMap<>(tls.clientProperties(tls.clientUser(), "nope"));
      wrongPassword.put("bootstrap.servers", kafka.bootstrapServers());
      try (Admin admin = Admin.create(wrongPassword)) {
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> admin.listTopics().names().get());
        assertInstanceOf(SaslAuthenticationException.class, e.getCause());
      }

      Map<String, Object> client = new HashMap<>(tls.clientProperties());
      client.put("bootstrap.servers", kafka.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        assertTrue(admin.listTopics().names().get().isEmpty(), "no ACL, no topic visible");
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> admin.describeTopics(java.util.List.of("secured")).allTopicNames().get());
        assertInstanceOf(TopicAuthorizationException.class, e.getCause());
      }

      KafkaAcls.grantApp(kafka, tls.clientUser());
      try (Admin admin = Admin.create(client)) {
        assertEquals(java.util.Set.of("secured"), admin.listTopics().names().get());
      }
    }
  }
}
