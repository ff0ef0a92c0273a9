package io.streamlearn.app;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.streamlearn.registry.http.Health;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What a Kafka Streams service ({@code serve}, {@code evaluate}) puts on its {@link OpsServer}:
 * the Streams client's metrics through Micrometer's {@link KafkaStreamsMetrics} ({@code
 * kafka.stream.*} and its clients' {@code kafka.consumer.*}, {@code kafka.producer.*}), and its
 * health, kept by a state listener so a probe never waits on Kafka:
 *
 * <ul>
 *   <li>ready only while {@code RUNNING} ("Kafka Streams is REBALANCING");
 *   <li>failed (restart me) once it reported {@code ERROR} or {@code PENDING_ERROR}, or when it
 *       stopped ({@code NOT_RUNNING}) without the service asking ({@link #closing()} first).
 * </ul>
 *
 * <p>New tasks' and threads' metrics (after a rebalance) appear within {@link #METRICS_REFRESH},
 * not Micrometer's default minute, refreshed by one daemon thread this object owns.
 */
public final class StreamsOps implements KafkaStreams.StateListener, AutoCloseable {
  /** How often the binders re-read the clients' metric lists. */
  public static final Duration METRICS_REFRESH = Duration.ofSeconds(15);

  private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
  /** Set when Streams reported ERROR or PENDING_ERROR: only a restart helps. */
  private volatile boolean failed;
  private volatile boolean closing;
  private final ScheduledExecutorService refresh;
  private final List<AutoCloseable> binders = new ArrayList<>();
  private final OpsServer ops;

  private StreamsOps(OpsServer ops, String threadName) {
    this.ops = ops;
    this.refresh = ops == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /** The health rule alone, fed by hand (for tests of the rule). */
  public static StreamsOps detached() {
    return new StreamsOps(null, null);
  }

  /**
   * Listens to {@code streams}' state (call before {@code start()}), binds its metrics to {@code
   * ops} and adds the readiness and liveness checks named {@code component} to its health.
   *
   * @param threadName the name of the metrics refresh thread
   */
  public static StreamsOps attach(KafkaStreams streams, OpsServer ops, String component, String threadName) {
    StreamsOps s = new StreamsOps(ops, threadName);
    streams.setStateListener(s);
    KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams, Tags.empty(), s.refresh, METRICS_REFRESH);
    metrics.bindTo(ops.meters());
    s.binders.add(metrics);
    ops.health().ready(component, Health.of(s::notReady)).live(component, Health.of(s::failure));
    return s;
  }

  /** Binds a Kafka producer the service owns beside Streams (its {@code kafka.producer.*} metrics). */
  public void bind(Producer<?, ?> producer) {
    KafkaClientMetrics metrics = new KafkaClientMetrics(producer, Tags.empty(), refresh, METRICS_REFRESH);
    metrics.bindTo(ops.meters());
    binders.add(metrics);
  }

  @Override
  public void onChange(KafkaStreams.State now, KafkaStreams.State before) {
    state = now;
    if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
      failed = true;
    }
  }

  /** The service closes Streams on purpose: its NOT_RUNNING is not a failure. Call before closing. */
  public void closing() {
    closing = true;
  }

  /** Why Streams is not ready to process, or {@code null} when it is. */
  public String notReady() {
    KafkaStreams.State s = state;
    return s == KafkaStreams.State.RUNNING ? null : "Kafka Streams is " + s;
  }

  /** Why Streams cannot recover by itself, or {@code null}. */
  public String failure() {
    KafkaStreams.State s = state;
    if (failed) {
      return "Kafka Streams failed (" + s + ")";
    }
    if (s == KafkaStreams.State.NOT_RUNNING && !closing) {
      return "Kafka Streams is NOT_RUNNING but the service was not closed";
    }
    return null;
  }

  /** Stops the refresh thread and unbinds the metrics; call after the clients are closed. */
  @Override
  public void close() {
    if (refresh != null) {
      refresh.shutdownNow();
    }
    for (AutoCloseable b : binders) {
      try {
        b.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing a Kafka metrics binder failed", e);
      }
    }
  }
}
