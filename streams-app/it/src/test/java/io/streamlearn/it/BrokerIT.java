package io.streamlearn.it;

import io.streamlearn.testkit.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The base of the integration tests that share one embedded KRaft broker per test class: started
 * before the class's first test, closed after its last. Test classes run one after another, so the
 * field is never shared by two at once.
 */
public abstract class BrokerIT {
  /** The test class's broker. */
  protected static EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }
}
