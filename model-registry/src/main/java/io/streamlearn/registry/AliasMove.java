package io.streamlearn.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * An alias pointing at a version, with who moved it, when and why.
 *
 * @param model the model name
 * @param alias the alias ({@code live}, {@code champion}, ...)
 * @param version the version it points at
 * @param movedAt when it moved
 * @param movedBy who moved it (a user, {@code trainer}, ...)
 * @param reason why
 * @param previousVersion the version it pointed at before, 0 for none
 */
public record AliasMove(String model, String alias, long version, Instant movedAt, String movedBy,
                        String reason, long previousVersion) {
  /** The alias inference serves by default. */
  public static final String LIVE = "live";

  /** Validates. */
  public AliasMove {
    RegistryKey.checkModelName(model);
    RegistryKey.checkAlias(alias);
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, found " + version);
    }
    Objects.requireNonNull(movedAt, "movedAt");
    Objects.requireNonNull(movedBy, "movedBy");
    Objects.requireNonNull(reason, "reason");
  }

  /** The registry key of this alias, {@code name@alias}. */
  public String key() {
    return RegistryKey.alias(model, alias).toString();
  }
}
