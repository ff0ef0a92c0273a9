package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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

  @Test
  void theServicesLogThroughLogbackAndNoOtherBinding() {
    assertDoesNotThrow(() -> Class.forName("ch.qos.logback.classic.LoggerContext", false,
        getClass().getClassLoader()), "Logback, the launchers' backend, is missing");
    for (String name : new String[] {"org.slf4j.simple.SimpleLogger", "org.apache.logging.slf4j.SLF4JServiceProvider",
        "org.slf4j.reload4j.Reload4jServiceProvider", "org.slf4j.jul.JULServiceProvider"}) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(name, false, getClass().getClassLoader()),
          name + ", a second SLF4J binding, is on the services' classpath");
    }
    assertInstanceOf(ch.qos.logback.classic.LoggerContext.class, LoggerFactory.getILoggerFactory());
  }
}
