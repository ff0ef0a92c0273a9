package io.streamlearn.registry;

import java.util.Objects;

/**
 * A key on the registry topic: {@code name:version} for a model version, {@code name@alias} for an
 * alias.
 *
 * @param model the model name
 * @param version the version, for a version key (0 for an alias key)
 * @param alias the alias, for an alias key ({@code null} for a version key)
 */
public record RegistryKey(String model, long version, String alias) {
  /** Validates. */
  public RegistryKey {
    checkModelName(model);
    if (alias == null && version < 1) {
      throw new IllegalArgumentException("version must be >= 1, found " + version);
    }
    if (alias != null) {
      checkAlias(alias);
    }
  }

  /** The key of a version. */
  public static RegistryKey version(String model, long version) {
    return new RegistryKey(model, version, null);
  }

  /** The key of an alias. */
  public static RegistryKey alias(String model, String alias) {
    return new RegistryKey(model, 0, alias);
  }

  /** Whether this is an alias key. */
  public boolean isAlias() {
    return alias != null;
  }

  /** Parses {@code name:version} or {@code name@alias}. */
  public static RegistryKey parse(String key) {
    Objects.requireNonNull(key, "registry key");
    int at = key.lastIndexOf('@');
    if (at > 0) {
      return alias(key.substring(0, at), key.substring(at + 1));
    }
    int colon = key.lastIndexOf(':');
    if (colon > 0) {
      try {
        return version(key.substring(0, colon), Long.parseLong(key.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("registry key '" + key + "' has a non-numeric version", e);
      }
    }
    throw new IllegalArgumentException(
        "registry key '" + key + "' is neither name:version nor name@alias");
  }

  @Override
  public String toString() {
    return alias != null ? model + "@" + alias : model + ":" + version;
  }

  static void checkModelName(String name) {
    if (name == null || name.isBlank() || name.indexOf(':') >= 0 || name.indexOf('@') >= 0) {
      throw new IllegalArgumentException(
          "model name must be non-blank without ':' or '@', found '" + name + "'");
    }
  }

  static void checkAlias(String alias) {
    if (alias.isBlank() || alias.indexOf(':') >= 0 || alias.indexOf('@') >= 0) {
      throw new IllegalArgumentException(
          "alias must be non-blank without ':' or '@', found '" + alias + "'");
    }
  }
}
