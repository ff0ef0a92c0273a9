package io.streamlearn.config;

import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Keys of the commands that serve HTTP ({@code registry}, {@code dashboard}), declared once: both
 * put the same {@link #TOKEN} in their tables, so one {@code --registry-token} (or {@code
 * STREAMLEARN_REGISTRY_TOKEN}) protects every write of the deployment, the registry's API and the
 * dashboard's promote alike.
 */
public final class HttpKeys {
  /** Set from the environment as {@code STREAMLEARN_REGISTRY_TOKEN}. */
  public static final String TOKEN = "registry.token";

  private static final ConfigDef DECLARATIONS = new ConfigDef()
      .define(TOKEN, Type.PASSWORD, "", Importance.HIGH,
          "Bearer token every write (POST/PUT/DELETE: the registry's API, the dashboard's promote) must"
              + " present; empty leaves writes open. Reads never need it.");

  private HttpKeys() {}

  /** The token's declaration, for a command's table: {@code def.define(HttpKeys.token())}. */
  public static ConfigDef.ConfigKey token() {
    return DECLARATIONS.configKeys().get(TOKEN);
  }

  /** The configured token, empty when none is set. */
  public static Optional<String> token(AbstractConfig config) {
    String token = config.getPassword(TOKEN).value();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
