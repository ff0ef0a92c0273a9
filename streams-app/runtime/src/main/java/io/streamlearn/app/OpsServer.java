package io.streamlearn.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.registry.http.Health;
import io.streamlearn.registry.http.HttpResponse;
import io.streamlearn.registry.http.JsonHttpServer;
import io.streamlearn.registry.http.Routes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * The operations surface of a service: its meters, which {@code GET /metrics} serves in the
 * Prometheus text format, its {@link Health} ({@code /health/live}, {@code /health/ready}), and
 * the route table other features add to ({@code serve}'s predict API). {@code train}, {@code
 * serve}, the registry and the demo each have one.
 *
 * <p>The meters exist whether or not a server runs ({@code --http-port -1}): a component records
 * into {@link #meters()} unconditionally and the status lines read the same figures. The registry
 * follows Prometheus' conventions through Micrometer's naming: a meter named {@code
 * streamlearn.examples.trained} with base unit and type becomes {@code
 * streamlearn_examples_trained_total}; a timer is exported in seconds.
 *
 * <p>JVM and process metrics (memory, GC, threads, class loading, CPU, file descriptors, uptime)
 * are bound at construction.
 */
public final class OpsServer implements AutoCloseable {
  /** Where the meters are served. */
  public static final String METRICS_PATH = "/metrics";

  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Routes routes;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private JsonHttpServer http;

  /** A surface with its own, empty route table (health and metrics only). */
  public OpsServer(String application) {
    this(application, new Routes());
  }

  /**
   * A surface that serves its metrics on an existing route table (the demo's and the registry's
   * servers, which already answer health).
   */
  public OpsServer(String application, Routes routes) {
    this.routes = routes;
    meters.config().commonTags("application", application);
    new JvmMemoryMetrics().bindTo(meters);
    gc.bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ClassLoaderMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new FileDescriptorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    routes.get(METRICS_PATH, r -> HttpResponse.bytes(meters.scrape().getBytes(StandardCharsets.UTF_8),
        "text/plain; version=0.0.4"));
  }

  /** The meters components record into. */
  public MeterRegistry meters() {
    return meters;
  }

  /** The Prometheus text of every meter now (what {@code GET /metrics} answers). */
  public String scrape() {
    return meters.scrape();
  }

  /** The route table, to add routes before or after {@link #start}. */
  public Routes routes() {
    return routes;
  }

  /** The health components add their checks to. */
  public Health health() {
    return routes.health();
  }

  /**
   * Binds and starts the HTTP server as configured, or nothing when the port is off.
   *
   * @return the bound port, or empty when no server runs
   * @throws UncheckedIOException when the port cannot be bound
   */
  public synchronized OptionalInt start(HttpSettings settings) {
    if (!settings.enabled()) {
      return OptionalInt.empty();
    }
    if (http != null) {
      throw new IllegalStateException("already serving on port " + http.port());
    }
    try {
      http = new JsonHttpServer(new InetSocketAddress(settings.host(), settings.port()), routes, settings.token());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port()
          + ": " + e.getMessage(), e);
    }
    http.start();
    return OptionalInt.of(http.port());
  }

  /** The bound port, or empty when no server runs. */
  public synchronized OptionalInt port() {
    return http == null ? OptionalInt.empty() : OptionalInt.of(http.port());
  }

  @Override
  public synchronized void close() {
    if (http != null) {
      http.close();
      http = null;
    }
    gc.close();
    meters.close();
  }
}
