package io.streamlearn.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.testkit.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's broker listens where the README says ({@code --kafka-port}, 9092 by default), so
 * clients outside the JVM, like the examples, find it; a taken port falls back to a free one and
 * says so.
 */
class DemoKafkaPortIT {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void theBrokerListensOnTheFreePortItIsGiven() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (EmbeddedKafka kafka = Demo.startBroker(port, out)) {
      assertEquals(port, kafka.port());
      assertEquals("localhost:" + port, kafka.bootstrapServers());
      assertFalse(EmbeddedKafka.isFree(port), "the broker holds the port");
      assertEquals(1, kafka.admin().describeCluster().nodes().get().size());
      assertEquals("", bytes.toString(StandardCharsets.UTF_8), "nothing to warn about");
    }
  }

  @Test
  void aTakenPortFallsBackToAFreeOneAndSaysSo() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("localhost"), 0));
      int port = taken.getLocalPort();
      assertFalse(EmbeddedKafka.isFree(port));
      try (EmbeddedKafka kafka = Demo.startBroker(port, out)) {
        assertNotEquals(port, kafka.port());
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("port " + port + " is taken"),
            bytes.toString(StandardCharsets.UTF_8));
        kafka.createTopic("port-it");
        assertTrue(kafka.admin().listTopics().names().get().contains("port-it"));
      }
    }
  }

  @Test
  void theDemoDefaultsToKafkasUsualPortAndZeroMeansAny() {
    assertEquals(9092, DemoConfig.fromArgs(List.of(), Map.of()).settings().kafkaPort());
    assertEquals(0, DemoConfig.fromArgs(List.of("--kafka-port", "0"), Map.of()).settings().kafkaPort());
    assertEquals(19092, DemoConfig.fromArgs(List.of(), Map.of("STREAMLEARN_KAFKA_PORT", "19092"))
        .settings().kafkaPort());
  }
}
