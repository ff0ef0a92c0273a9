package io.streamlearn.config;

import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;

/**
 * Where and how a command serves HTTP, read once from {@link HttpKeys}.
 *
 * @param host the interface to bind ({@link HttpKeys#LOOPBACK} unless set)
 * @param port the port; 0 any free port; {@link HttpKeys#OFF} no server
 * @param token the bearer token every write needs, or empty
 */
public record HttpSettings(String host, int port, Optional<String> token) {
  /** Validates. */
  public HttpSettings {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must be non-blank");
    }
    if (port < HttpKeys.OFF || port > 65_535) {
      throw new IllegalArgumentException("port must be in [-1, 65535], found " + port);
    }
    Objects.requireNonNull(token, "token");
  }

  /** No HTTP server. */
  public static HttpSettings off() {
    return new HttpSettings(HttpKeys.LOOPBACK, HttpKeys.OFF, Optional.empty());
  }

  /** On the loopback interface, at a port (0: any free port), with no token. */
  public static HttpSettings loopback(int port) {
    return new HttpSettings(HttpKeys.LOOPBACK, port, Optional.empty());
  }

  /** Reads a table that defines {@link HttpKeys#HOST} and {@link HttpKeys#PORT} (and maybe the token). */
  public static HttpSettings of(AbstractConfig config) {
    Optional<String> token = config.values().containsKey(HttpKeys.TOKEN) ? HttpKeys.token(config) : Optional.empty();
    return new HttpSettings(config.getString(HttpKeys.HOST), config.getInt(HttpKeys.PORT), token);
  }

  /** Whether a server is to run. */
  public boolean enabled() {
    return port != HttpKeys.OFF;
  }
}
