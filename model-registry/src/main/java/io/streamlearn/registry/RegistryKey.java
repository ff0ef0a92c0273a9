package io.streamlearn.registry;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key on the registry topic. Four kinds, each compacted on its own:
 *
 * <ul>
 *   <li>{@code name:version}: a model version (or, for a large one, its chunk manifest);
 *   <li>{@code name:version#chunk-<i>}: chunk {@code i} of a large version;
 *   <li>{@code name@alias}: where an alias points now;
 *   <li>{@code name@alias#change-<millis>-<version>}: one past change of an alias, a key no other
 *       change reuses, so compaction keeps the whole history.
 * </ul>
 *
 * @param model the model name
 * @param version the version, for version and chunk keys (0 otherwise)
 * @param alias the alias, for alias and change keys ({@code null} otherwise)
 * @param chunk the chunk index of a chunk key, -1 otherwise
 * @param change {@code <millis>-<version>} of a change key, {@code null} otherwise
 */
public record RegistryKey(String model, long version, String alias, int chunk, String change) {
  private static final Pattern CHUNK = Pattern.compile("chunk-(\\d{1,9})");
  private static final Pattern CHANGE = Pattern.compile("change-(\\d{1,19})-(\\d{1,19})");

  /** What a key names. */
  public enum Kind { VERSION, CHUNK, ALIAS, CHANGE }

  /** A version or alias key. */
  public RegistryKey(String model, long version, String alias) {
    this(model, version, alias, -1, null);
  }

  /** Validates. */
  public RegistryKey {
    checkModelName(model);
    if (alias == null && version < 1) {
      throw new IllegalArgumentException("version must be >= 1, found " + version);
    }
    if (alias != null) {
      checkAlias(alias);
      if (chunk >= 0) {
        throw new IllegalArgumentException("an alias key has no chunk, found " + chunk);
      }
    }
    if (chunk < -1) {
      throw new IllegalArgumentException("chunk must be >= 0 (or -1 for none), found " + chunk);
    }
    if (change != null && (alias == null || !CHANGE.matcher("change-" + change).matches())) {
      throw new IllegalArgumentException("change must be <millis>-<version> on an alias key, found '"
          + change + "'");
    }
  }

  /** The key of a version. */
  public static RegistryKey version(String model, long version) {
    return new RegistryKey(model, version, null);
  }

  /** The key of chunk {@code index} of a version. */
  public static RegistryKey chunk(String model, long version, int index) {
    return new RegistryKey(model, version, null, index, null);
  }

  /** The key of an alias. */
  public static RegistryKey alias(String model, String alias) {
    return new RegistryKey(model, 0, alias);
  }

  /** The key of one change of an alias. */
  public static RegistryKey change(String model, String alias, long changedAtMillis, long version) {
    return new RegistryKey(model, 0, alias, -1, changedAtMillis + "-" + version);
  }

  /** What this key names. */
  public Kind kind() {
    if (alias != null) {
      return change != null ? Kind.CHANGE : Kind.ALIAS;
    }
    return chunk >= 0 ? Kind.CHUNK : Kind.VERSION;
  }

  /** Whether this is an alias key ({@code name@alias}, not a change key). */
  public boolean isAlias() {
    return kind() == Kind.ALIAS;
  }

  /** Parses any of the four kinds. */
  public static RegistryKey parse(String key) {
    Objects.requireNonNull(key, "registry key");
    int at = key.lastIndexOf('@');
    int colon = key.lastIndexOf(':');
    int delimiter = Math.max(at, colon);
    if (delimiter <= 0) {
      throw new IllegalArgumentException(
          "registry key '" + key + "' is neither name:version nor name@alias");
    }
    int hash = key.indexOf('#', delimiter);
    String base = hash < 0 ? key : key.substring(0, hash);
    String suffix = hash < 0 ? null : key.substring(hash + 1);
    String model = base.substring(0, delimiter);
    String rest = base.substring(delimiter + 1);
    if (at > colon) {
      if (suffix == null) {
        return alias(model, rest);
      }
      Matcher m = CHANGE.matcher(suffix);
      if (!m.matches()) {
        throw new IllegalArgumentException("registry key '" + key
            + "': an alias key may only end in #change-<millis>-<version>");
      }
      return new RegistryKey(model, 0, rest, -1, m.group(1) + "-" + m.group(2));
    }
    long version;
    try {
      version = Long.parseLong(rest);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("registry key '" + key + "' has a non-numeric version", e);
    }
    if (suffix == null) {
      return version(model, version);
    }
    Matcher m = CHUNK.matcher(suffix);
    if (!m.matches()) {
      throw new IllegalArgumentException("registry key '" + key
          + "': a version key may only end in #chunk-<index>");
    }
    return chunk(model, version, Integer.parseInt(m.group(1)));
  }

  @Override
  public String toString() {
    switch (kind()) {
      case CHUNK:
        return model + ":" + version + "#chunk-" + chunk;
      case ALIAS:
        return model + "@" + alias;
      case CHANGE:
        return model + "@" + alias + "#change-" + change;
      default:
        return model + ":" + version;
    }
  }

  /**
   * The registry's rule for model names, for callers that check a name before they write anything.
   *
   * @throws IllegalArgumentException naming the rule and the name found
   */
  public static void checkModelName(String name) {
    if (name == null || name.isBlank() || name.indexOf(':') >= 0 || name.indexOf('@') >= 0) {
      throw new IllegalArgumentException(
          "model name must be non-blank without ':' or '@', found '" + name + "'");
    }
  }

  /**
   * The registry's rule for aliases, for callers that check an alias before they write anything.
   *
   * @throws IllegalArgumentException naming the rule and the alias found
   */
  public static void checkAlias(String alias) {
    if (alias == null || alias.isBlank() || alias.indexOf(':') >= 0 || alias.indexOf('@') >= 0
        || alias.indexOf('#') >= 0 || alias.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "alias must be non-blank without ':', '@', '#' or '/', found '" + alias + "'");
    }
  }
}
