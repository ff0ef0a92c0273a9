package io.streamlearn.registry;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry materialized from its topic: every version and alias per model. Not thread-safe;
 * build one by {@link #apply applying} the topic's records in order.
 */
public final class RegistryState {
  private final Map<String, NavigableMap<Long, ModelVersion>> versions = new HashMap<>();
  private final Map<String, Map<String, AliasMove>> aliases = new HashMap<>();

  /** Applies one decoded record. */
  public void apply(RegistryCodec.Entry entry) {
    if (entry instanceof RegistryCodec.VersionEntry v) {
      versions.computeIfAbsent(v.version().name(), n -> new TreeMap<>())
          .put(v.version().version(), v.version());
    } else if (entry instanceof RegistryCodec.AliasEntry a) {
      aliases.computeIfAbsent(a.move().model(), n -> new HashMap<>()).put(a.move().alias(), a.move());
    } else if (entry.key().isAlias()) {
      aliases.getOrDefault(entry.key().model(), new HashMap<>()).remove(entry.key().alias());
    } else {
      versions.getOrDefault(entry.key().model(), new TreeMap<>()).remove(entry.key().version());
    }
  }

  /** The newest version of a model, if it has any. */
  public Optional<ModelVersion> latest(String model) {
    NavigableMap<Long, ModelVersion> all = versions.get(model);
    return all == null || all.isEmpty() ? Optional.empty() : Optional.of(all.lastEntry().getValue());
  }

  /** The highest version number ever seen for a model (0 for none). */
  public long latestVersionNumber(String model) {
    return latest(model).map(ModelVersion::version).orElse(0L);
  }

  /** One version. */
  public Optional<ModelVersion> version(String model, long version) {
    return Optional.ofNullable(versions.getOrDefault(model, Collections.emptyNavigableMap()).get(version));
  }

  /** The version an alias points at. */
  public Optional<ModelVersion> aliased(String model, String alias) {
    AliasMove move = aliases.getOrDefault(model, Map.of()).get(alias);
    return move == null ? Optional.empty() : version(model, move.version());
  }

  /** Every version of a model, oldest first. */
  public NavigableMap<Long, ModelVersion> versions(String model) {
    return Collections.unmodifiableNavigableMap(
        versions.getOrDefault(model, Collections.emptyNavigableMap()));
  }

  /** The aliases of a model. */
  public Map<String, AliasMove> aliases(String model) {
    return Collections.unmodifiableMap(aliases.getOrDefault(model, Map.of()));
  }
}
