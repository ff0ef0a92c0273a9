package io.streamlearn.serve;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.RawInput;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.learn.Model;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import io.streamlearn.registry.http.HttpError;
import io.streamlearn.registry.http.HttpRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which version a predict request is scored by: the served alias's by default, the served, shadow
 * or canary version at once (the very objects the stream holds), and any other version or alias of
 * the model prepared from the registry view as {@link RegistryFollower} prepares a version
 * (decoded, checksum-verified, its input kind checked, warmed up), then kept in a small cache
 * (versions are immutable). Every refusal is an {@link HttpError} naming what this instance serves.
 * Thread-safe.
 */
final class ServedVersions {
  /** Versions prepared on demand kept ready, least recently used dropped first. */
  static final int LOADED_VERSIONS = 4;

  /** A version chosen for a request, and the alias that names it ({@code null}: asked by number). */
  record Target(ServedModel.Current current, String alias) {
    Target {
      Objects.requireNonNull(current, "current");
    }
  }

  private final String model;
  private final String alias;
  private final ServedModel primary;
  /** The other aliases the stream holds (shadow, canary), in that order. */
  private final Map<String, ServedModel> others;
  private final RawInput input;
  private final PredictApi.RegistryView registry;
  private final Map<Long, ServedModel.Current> loaded = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, ServedModel.Current> eldest) {
      return size() > LOADED_VERSIONS;
    }
  };

  /**
   * Versions of {@code model}, over the served alias's holder and {@code others}, the other aliases
   * the stream holds (the shadow's, the canary's) by name.
   */
  ServedVersions(String model, String alias, ServedModel primary, Map<String, ServedModel> others,
                 RawInput input, PredictApi.RegistryView registry) {
    this.model = Objects.requireNonNull(model, "model");
    this.alias = Objects.requireNonNull(alias, "alias");
    this.primary = Objects.requireNonNull(primary, "primary");
    this.others = Collections.unmodifiableMap(new LinkedHashMap<>(others));
    this.input = Objects.requireNonNull(input, "input");
    this.registry = registry;
  }

  /**
   * The served, shadow and canary versions held now, each once.
   *
   * @throws HttpError 404 for another model, 503 when no version is loaded yet
   */
  List<ServedModel.Current> held(String name) {
    checkName(name);
    List<ServedModel.Current> out = new ArrayList<>();
    Set<Long> listed = new HashSet<>();
    List<ServedModel> holders = new ArrayList<>(List.of(primary));
    holders.addAll(others.values());
    for (ServedModel holder : holders) {
      ServedModel.Current c = holder.current();
      if (c != null && listed.add(c.version().version())) {
        out.add(c);
      }
    }
    if (out.isEmpty()) {
      throw new HttpError(503, noVersionYet(alias));
    }
    return out;
  }

  /**
   * The version a request asks for: the served alias's by default, a held one at once, any other
   * from the registry view.
   *
   * @throws HttpError 404 for an unknown model, version or alias, 503 when it is not loaded yet
   */
  Target resolve(String name, String version, String label) {
    checkName(name);
    if (version == null && (label == null || label.equals(alias))) {
      return new Target(held(primary, alias), alias);
    }
    if (label != null && others.containsKey(label)) {
      return new Target(held(others.get(label), label), label);
    }
    if (label != null) {
      long v = aliasVersion(label);
      return new Target(version(v, label), label);
    }
    long v = HttpRequest.parseLong("version", version);
    return new Target(version(v, null), aliasOf(v));
  }

  void checkName(String name) {
    if (!name.equals(model)) {
      throw new HttpError(404, "no model '" + name + "' here: this instance serves model '" + model + "' ("
          + servedText() + ")");
    }
  }

  private ServedModel.Current held(ServedModel served, String heldAlias) {
    ServedModel.Current c = served.current();
    if (c == null) {
      throw new HttpError(503, noVersionYet(heldAlias));
    }
    return c;
  }

  private String noVersionYet(String heldAlias) {
    return "no version of model '" + model + "' is loaded yet: waiting for alias '" + heldAlias
        + "' on the registry topic to name a version this instance can serve";
  }

  /** The alias among the held ones that names version {@code v} now, or null. */
  private String aliasOf(long v) {
    if (isVersion(primary.current(), v)) {
      return alias;
    }
    for (Map.Entry<String, ServedModel> other : others.entrySet()) {
      if (isVersion(other.getValue().current(), v)) {
        return other.getKey();
      }
    }
    return null;
  }

  private static boolean isVersion(ServedModel.Current c, long v) {
    return c != null && c.version().version() == v;
  }

  private long aliasVersion(String label) {
    byte[] bytes = read(RegistryKey.alias(model, label).toString(), "alias '" + label + "'");
    try {
      return ((RegistryCodec.AliasEntry) new RegistryCodec().decode(RegistryKey.alias(model, label).toString(), bytes))
          .move().version();
    } catch (InvalidModelException | ClassCastException e) {
      throw new HttpError(404, "alias '" + label + "' of model '" + model + "' is unreadable: " + e.getMessage());
    }
  }

  /** A version by number: held, loaded before, or prepared now from the registry view. */
  private ServedModel.Current version(long v, String label) {
    if (isVersion(primary.current(), v)) {
      return primary.current();
    }
    for (ServedModel other : others.values()) {
      ServedModel.Current c = other.current();
      if (isVersion(c, v)) {
        return c;
      }
    }
    synchronized (loaded) {
      ServedModel.Current c = loaded.get(v);
      if (c != null) {
        return c;
      }
      String key = RegistryKey.version(model, v).toString();
      byte[] bytes = read(key, "version " + v + (label == null ? "" : " (named by alias '" + label + "')"));
      try {
        long started = System.nanoTime();
        ModelVersion mv = new RegistryCodec().decodeVersion(key, k -> k.equals(key) ? bytes : registry.get(k));
        Model prepared = Artifacts.toModel(mv);
        FrozenPipeline pipeline = RegistryFollower.checkInput(mv, input);
        RegistryFollower.warmUp(mv, prepared);
        c = new ServedModel.Current(mv, prepared, System.currentTimeMillis(), -1, 0,
            (System.nanoTime() - started) / 1000, pipeline);
      } catch (InvalidModelException | IllegalArgumentException | IllegalStateException e) {
        throw new HttpError(404, "version " + v + " of model '" + model + "' cannot be served by this instance: "
            + e.getMessage());
      }
      loaded.put(v, c);
      return c;
    }
  }

  /** A registry record from the view; 404 naming what is served when there is none. */
  private byte[] read(String key, String what) {
    if (registry == null) {
      throw new HttpError(404, "model '" + model + "' has no " + what + " here: this instance serves "
          + servedText());
    }
    byte[] bytes;
    try {
      bytes = registry.get(key);
    } catch (IllegalStateException e) {
      throw new HttpError(503, "the registry view of this instance cannot be read now (" + e.getMessage()
          + "); it serves " + servedText());
    }
    if (bytes == null) {
      throw new HttpError(404, "model '" + model + "' has no " + what + " in the registry; this instance serves "
          + servedText());
    }
    return bytes;
  }

  /** What this instance serves, for a message: {@code m@live (version 3), m@challenger (none yet)}. */
  private String servedText() {
    String text = model + "@" + alias + " (" + versionText(primary.current()) + ")";
    for (Map.Entry<String, ServedModel> other : others.entrySet()) {
      text += " and " + model + "@" + other.getKey() + " (" + versionText(other.getValue().current()) + ")";
    }
    return text;
  }

  private static String versionText(ServedModel.Current c) {
    return c == null ? "no version yet" : "version " + c.version().version();
  }
}
