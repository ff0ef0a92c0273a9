package io.streamlearn.registry;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The model registry: versions, aliases and their history, promotion, rollback and retention.
 * Reads see every write this registry made before them. Thread-safe.
 */
public interface Registry extends AutoCloseable {

  /**
   * Runs a read-only query on a consistent view of the registry. The query must copy what it
   * returns out of the state (the view changes after the query returns).
   */
  <T> T read(Function<RegistryState, T> query);

  /** Every model. */
  default SortedSet<String> models() {
    return read(s -> new java.util.TreeSet<>(s.models()));
  }

  /** Every version of a model, oldest first. */
  default NavigableMap<Long, ModelVersion> versions(String model) {
    return read(s -> new TreeMap<>(s.versions(model)));
  }

  /** One version. */
  default Optional<ModelVersion> version(String model, long version) {
    return read(s -> s.version(model, version));
  }

  /** The aliases of a model. */
  default Map<String, AliasMove> aliases(String model) {
    return read(s -> Map.copyOf(s.aliases(model)));
  }

  /** The version an alias points at. */
  default Optional<ModelVersion> aliased(String model, String alias) {
    return read(s -> s.aliased(model, alias));
  }

  /** Every change of the model's aliases, oldest first. */
  default List<AliasChange> history(String model) {
    return read(s -> s.history(model));
  }

  /**
   * Publishes a version (in chunks when it is large).
   *
   * @throws RegistryException CONFLICT when its number is not above the model's latest
   */
  ModelVersion publish(ModelVersion version);

  /**
   * Points an alias at an existing version.
   *
   * @throws RegistryException NOT_FOUND for an unknown version
   */
  AliasMove setAlias(String model, String alias, long version, String by, String reason);

  /**
   * Removes an alias.
   *
   * @throws RegistryException NOT_FOUND when the alias does not exist
   */
  void deleteAlias(String model, String alias, String by, String reason);

  /** Points {@code live} at a version. */
  default AliasMove promote(String model, long version, String by, String reason) {
    return setAlias(model, AliasMove.LIVE, version, by, reason);
  }

  /**
   * Moves an alias back to the version it pointed at before ({@link
   * RegistryState#rollbackTarget}).
   *
   * @throws RegistryException NOT_FOUND without the alias, CONFLICT with nothing to go back to
   */
  AliasMove rollback(String model, String alias, String by, String reason);

  /**
   * Deletes (with tombstones) every version of {@code model} except the newest {@code keepLast}
   * and every one an alias points at. Returns the deleted version numbers.
   */
  List<Long> retain(String model, int keepLast);

  /** Applies an automatic promotion policy to a model; returns the move it made, if any. */
  Optional<AliasMove> applyPolicy(PromotionPolicy policy, String model);

  @Override
  void close();
}
