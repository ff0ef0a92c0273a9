package io.streamlearn.config;

import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Keys of every command that serves HTTP ({@code train}, {@code serve}, {@code registry}, {@code
 * dashboard}, {@code demo}), declared once:
 *
 * <ul>
 *   <li>{@link #HOST}: every server binds to {@value #LOOPBACK} unless told otherwise, so a port is
 *       never open to the network by accident; a container sets {@code 0.0.0.0} explicitly;
 *   <li>{@link #PORT}: one name everywhere, each command with its own default ({@link #port(int,
 *       String)}: the registry 8090, the dashboard and the demo 8080, train and serve off);
 *   <li>{@link #TOKEN}: one {@code --registry-token} (or {@code STREAMLEARN_REGISTRY_TOKEN})
 *       protects every write of the deployment, the registry's API and the dashboard's promote
 *       alike.
 * </ul>
 */
public final class HttpKeys {
  /** Set from the environment as {@code STREAMLEARN_REGISTRY_TOKEN}. */
  public static final String TOKEN = "registry.token";
  /** The interface a server listens on. */
  public static final String HOST = "http.host";
  /** The port a server listens on. */
  public static final String PORT = "http.port";
  /** The default {@link #HOST}: the loopback interface only. */
  public static final String LOOPBACK = "127.0.0.1";
  /** The {@link #PORT} value of a command whose HTTP server is off by default. */
  public static final int OFF = -1;

  private static final ConfigDef DECLARATIONS = new ConfigDef()
      .define(TOKEN, Type.PASSWORD, "", Importance.HIGH,
          "Bearer token every write (POST/PUT/DELETE: the registry's API, the dashboard's promote) must"
              + " present; empty leaves writes open. Reads (and predictions) never need it.")
      .define(HOST, Type.STRING, LOOPBACK, new CommonKeys.NonBlank(), Importance.HIGH,
          "Interface the HTTP server listens on: 127.0.0.1 (this machine only) unless set; 0.0.0.0 for"
              + " every interface (in a container).");

  private HttpKeys() {}

  /** The token's declaration, for a command's table: {@code def.define(HttpKeys.token())}. */
  public static ConfigDef.ConfigKey token() {
    return DECLARATIONS.configKeys().get(TOKEN);
  }

  /** The host's declaration, for a command's table. */
  public static ConfigDef.ConfigKey host() {
    return DECLARATIONS.configKeys().get(HOST);
  }

  /**
   * The port's declaration with a command's default.
   *
   * @param defaultPort the command's default: a port, 0 (any free port) or {@link #OFF}, which
   *     makes the server optional (a command whose job is the server cannot turn it off)
   * @param what what the server serves, for the documentation
   */
  public static ConfigDef.ConfigKey port(int defaultPort, String what) {
    boolean optional = defaultPort == OFF;
    String doc = "Port of the HTTP server (" + what + "); 0: any free port"
        + (optional ? "; -1 (the default): no HTTP server." : ".");
    return new ConfigDef().define(PORT, Type.INT, defaultPort, Range.between(optional ? OFF : 0, 65_535),
            Importance.HIGH, doc)
        .configKeys().get(PORT);
  }

  /** The configured token, empty when none is set. */
  public static Optional<String> token(AbstractConfig config) {
    String token = config.getPassword(TOKEN).value();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
