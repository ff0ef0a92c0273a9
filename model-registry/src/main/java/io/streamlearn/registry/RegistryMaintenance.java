package io.streamlearn.registry;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work a long-running registry does whenever the topic changes, on its own thread (never the
 * tail's): recording alias moves that others wrote without a change record, the automatic
 * promotion policy, and retention. Triggers that arrive while a run is queued are coalesced.
 */
public final class RegistryMaintenance implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegistryMaintenance.class);

  private final Optional<PromotionPolicy> policy;
  private final int keepLast;
  private final boolean recordForeignMoves;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "registry-maintenance");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile KafkaRegistry registry;

  /**
   * @param policy the automatic promotion policy, if any
   * @param keepLast retention: keep this many newest versions per model (and every aliased one);
   *     0 keeps everything
   * @param recordForeignMoves whether to record alias moves others wrote without a change record
   */
  public RegistryMaintenance(Optional<PromotionPolicy> policy, int keepLast, boolean recordForeignMoves) {
    if (keepLast < 0) {
      throw new IllegalArgumentException("keepLast must be >= 0, found " + keepLast);
    }
    this.policy = policy;
    this.keepLast = keepLast;
    this.recordForeignMoves = recordForeignMoves;
  }

  /** Starts maintaining {@code target}, with a first run now. */
  public void attach(KafkaRegistry target) {
    this.registry = target;
    trigger();
  }

  /** Asks for a run (the registry's {@code onChange} callback). */
  public void trigger() {
    if (registry != null && queued.compareAndSet(false, true)) {
      executor.execute(this::run);
    }
  }

  private void run() {
    queued.set(false);
    KafkaRegistry r = registry;
    try {
      if (recordForeignMoves) {
        int recorded = r.recordForeignMoves();
        if (recorded > 0) {
          log.info("recorded {} alias move(s) written without a change record", recorded);
        }
      }
      for (String model : r.models()) {
        policy.flatMap(p -> r.applyPolicy(p, model))
            .ifPresent(m -> log.info("policy promoted {}:{} to {}: {}", m.model(), m.version(), m.alias(), m.reason()));
        if (keepLast > 0) {
          r.retain(model, keepLast);
        }
      }
    } catch (RegistryException | InvalidModelException e) {
      log.warn("registry maintenance failed, retried on the next change: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
