package io.streamlearn.registry.http;

import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.PromotionPolicy;
import io.streamlearn.registry.RegistryMaintenance;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The registry service: a {@link KafkaRegistry} following the topic continuously, its maintenance
 * (automatic promotion, retention, recording foreign alias moves) and the REST API. The route
 * table is open until {@link #start()}, so other features (a dashboard) can add theirs, and their
 * health checks to its {@link Routes#health()}; they get the same JSON errors and token check.
 */
public final class RegistryServer implements AutoCloseable {
  /**
   * What the service needs.
   *
   * @param clientProperties Kafka client properties (at least {@code bootstrap.servers})
   * @param topic the registry topic (must exist)
   * @param host interface to listen on
   * @param port port to listen on (0: any free port)
   * @param token bearer token for writes, empty for open writes
   * @param policy automatic promotion policy, if enabled
   * @param keepLast retention per model (0: keep everything)
   * @param recordForeignMoves whether to record alias moves others wrote without a change record
   * @param maxRecordBytes largest record written; larger versions are chunked
   */
  public record Config(Map<String, Object> clientProperties, String topic, String host, int port,
                       Optional<String> token, Optional<PromotionPolicy> policy, int keepLast,
                       boolean recordForeignMoves, int maxRecordBytes) {
    /** Validates. */
    public Config {
      clientProperties = Map.copyOf(clientProperties);
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], found " + port);
      }
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(policy, "policy");
    }
  }

  private final RegistryMaintenance maintenance;
  private final KafkaRegistry registry;
  private final Routes routes = new Routes();
  private final JsonHttpServer http;

  /** Connects to Kafka, reads the registry to its end and binds the port; {@link #start()} serves. */
  public RegistryServer(Config config) throws IOException {
    this.maintenance = new RegistryMaintenance(config.policy(), config.keepLast(), config.recordForeignMoves());
    this.registry = new KafkaRegistry(config.clientProperties(), config.topic(),
        new KafkaRegistry.Options(config.maxRecordBytes(), Duration.ofSeconds(30), config.recordForeignMoves(),
            maintenance::trigger));
    try {
      RegistryApi.addTo(routes, registry);
      routes.health().add("registry", registry::following);
      this.http = new JsonHttpServer(new InetSocketAddress(config.host(), config.port()), routes, config.token());
    } catch (IOException | RuntimeException e) {
      registry.close();
      maintenance.close();
      throw e;
    }
  }

  /** The route table, to add routes or mounts before {@link #start()}. */
  public Routes routes() {
    return routes;
  }

  /** The registry this server serves. */
  public KafkaRegistry registry() {
    return registry;
  }

  /** Starts maintenance and the HTTP API. */
  public RegistryServer start() {
    maintenance.attach(registry);
    http.start();
    return this;
  }

  /** The HTTP port. */
  public int port() {
    return http.port();
  }

  @Override
  public void close() {
    http.close();
    maintenance.close();
    registry.close();
  }
}
