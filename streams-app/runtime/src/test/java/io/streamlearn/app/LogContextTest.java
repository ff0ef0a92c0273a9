package io.streamlearn.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogContextTest {
  @Test
  void aTaskCarriesTheModelOfTheThreadThatMadeItToTheThreadThatRunsIt() throws Exception {
    CompletableFuture<String> seen = new CompletableFuture<>();
    Runnable task;
    try {
      LogContext.model("fraud");
      task = LogContext.carrying(() -> seen.complete(MDC.get(LogContext.MODEL)));
    } finally {
      MDC.remove(LogContext.MODEL);
    }
    Thread worker = new Thread(task, "log-context-test");
    worker.start();
    assertEquals("fraud", seen.get(10, TimeUnit.SECONDS));
    worker.join(10_000);
    assertTrue(!worker.isAlive(), "the worker ended");
    assertNull(MDC.get(LogContext.MODEL), "the maker's own MDC is its own");
  }

  @Test
  void aTaskMadeWithoutAModelRunsWithoutOne() throws Exception {
    CompletableFuture<String> seen = new CompletableFuture<>();
    Thread worker = new Thread(LogContext.carrying(() -> seen.complete(String.valueOf(MDC.get(LogContext.MODEL)))));
    worker.start();
    assertEquals("null", seen.get(10, TimeUnit.SECONDS));
  }
}
