package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The launcher's test classpath holds its whole runtime classpath, so a broker or test-kit class
 * found here would also ship in the runtime image. The enforcer rule in streams-app/pom.xml fails
 * the build first; this says the same from the running code's side.
 */
class LauncherClasspathTest {
  @Test
  void theServicesClasspathCarriesNoBrokerAndNoTestKit() {
    for (String name : new String[] {"kafka.server.KafkaRaftServer", "kafka.server.KafkaBroker",
        "org.apache.kafka.raft.KafkaRaftClient", "io.streamlearn.testkit.EmbeddedKafka",
        "io.streamlearn.tools.ToolsMain"}) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(name, false, getClass().getClassLoader()),
          name + " is on the services' classpath");
    }
  }
}
