package io.streamlearn.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class StreamsOpsTest {
  @Test
  void readyOnlyWhileRunningWithTheStateAsTheReason() {
    StreamsOps h = StreamsOps.detached();
    assertEquals("Kafka Streams is CREATED", h.notReady());
    h.onChange(State.REBALANCING, State.CREATED);
    assertEquals("Kafka Streams is REBALANCING", h.notReady());
    assertNull(h.failure(), "a rebalance is not a failure");
    h.onChange(State.RUNNING, State.REBALANCING);
    assertNull(h.notReady());
  }

  @Test
  void anErrorStateFailsLivenessForGoodEvenWhenStreamsIsClosedAfterwards() {
    StreamsOps h = StreamsOps.detached();
    h.onChange(State.RUNNING, State.REBALANCING);
    h.onChange(State.PENDING_ERROR, State.RUNNING);
    assertEquals("Kafka Streams failed (PENDING_ERROR)", h.failure());
    h.onChange(State.ERROR, State.PENDING_ERROR);
    h.closing();
    h.onChange(State.PENDING_SHUTDOWN, State.ERROR);
    assertEquals("Kafka Streams failed (PENDING_SHUTDOWN)", h.failure());
    assertEquals("Kafka Streams is PENDING_SHUTDOWN", h.notReady());
  }

  @Test
  void notRunningFailsLivenessOnlyWhenTheServiceDidNotCloseIt() {
    StreamsOps stopped = StreamsOps.detached();
    stopped.onChange(State.RUNNING, State.REBALANCING);
    stopped.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
    stopped.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);
    assertEquals("Kafka Streams is NOT_RUNNING but the service was not closed", stopped.failure());

    StreamsOps closed = StreamsOps.detached();
    closed.onChange(State.RUNNING, State.REBALANCING);
    closed.closing();
    closed.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
    closed.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);
    assertNull(closed.failure(), "a normal close is not a failure");
    assertEquals("Kafka Streams is NOT_RUNNING", closed.notReady());
  }
}
