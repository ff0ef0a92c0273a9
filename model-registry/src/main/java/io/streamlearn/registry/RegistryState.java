package io.streamlearn.registry;

import io.streamlearn.schema.ModelChunkRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry materialized from its topic: every version, alias and alias change per model. Not
 * thread-safe; build one by {@link #apply applying} the topic's records in order.
 *
 * <p>A chunked version appears once its manifest and all its chunks have been applied (in any
 * order); until then it is pending. An alias record whose change was never recorded under its
 * own key (a move written by a writer that only sets the alias, such as the trainer) still shows
 * in the history, marked {@code recorded=false}: compaction will drop it unless someone records
 * it ({@link KafkaRegistry} does, when it runs with {@code recordForeignMoves}).
 */
public final class RegistryState {
  private static final Logger log = LoggerFactory.getLogger(RegistryState.class);

  private final RegistryCodec codec;
  private final Map<String, NavigableMap<Long, ModelVersion>> versions = new HashMap<>();
  private final Map<String, ChunkManifest> chunkedVersions = new HashMap<>();
  private final Map<String, RegistryCodec.ManifestEntry> pending = new HashMap<>();
  private final Map<String, Map<Integer, ModelChunkRecord>> chunks = new HashMap<>();
  private final Map<String, Map<String, AliasMove>> aliases = new HashMap<>();
  private final Map<String, LinkedHashMap<String, AliasChange>> changes = new HashMap<>();

  /** An empty registry, assembling chunks with a fresh codec. */
  public RegistryState() {
    this(new RegistryCodec());
  }

  /** An empty registry, assembling chunks with {@code codec}. */
  public RegistryState(RegistryCodec codec) {
    this.codec = codec;
  }

  /**
   * Decodes and applies one raw record of the topic; a record that does not decode is logged and
   * skipped (a corrupt record never hides the valid ones). Returns the entry, if it decoded.
   */
  public Optional<RegistryCodec.Entry> apply(String key, byte[] value) {
    try {
      RegistryCodec.Entry entry = codec.decode(key, value);
      apply(entry);
      return Optional.of(entry);
    } catch (InvalidModelException e) {
      log.warn("skipping registry record {}: {}", key, e.getMessage());
      return Optional.empty();
    }
  }

  /** Applies one decoded record. */
  public void apply(RegistryCodec.Entry entry) {
    RegistryKey k = entry.key();
    if (entry instanceof RegistryCodec.VersionEntry v) {
      putVersion(v.version(), null);
      pending.remove(k.toString());
    } else if (entry instanceof RegistryCodec.ManifestEntry m) {
      pending.put(k.toString(), m);
      tryAssemble(k.toString());
    } else if (entry instanceof RegistryCodec.ChunkEntry c) {
      String versionKey = RegistryKey.version(k.model(), k.version()).toString();
      chunks.computeIfAbsent(versionKey, x -> new HashMap<>()).put(k.chunk(), c.chunk());
      tryAssemble(versionKey);
    } else if (entry instanceof RegistryCodec.AliasEntry a) {
      AliasMove move = a.move();
      aliases.computeIfAbsent(move.model(), n -> new HashMap<>()).put(move.alias(), move);
      AliasChange seen = AliasChange.of(move, AliasChange.Action.MOVE, false);
      changes.computeIfAbsent(move.model(), n -> new LinkedHashMap<>()).putIfAbsent(seen.key(), seen);
    } else if (entry instanceof RegistryCodec.ChangeEntry c) {
      changes.computeIfAbsent(k.model(), n -> new LinkedHashMap<>()).put(k.toString(), c.change());
    } else {
      applyTombstone(k);
    }
  }

  private void applyTombstone(RegistryKey k) {
    switch (k.kind()) {
      case ALIAS:
        aliases.getOrDefault(k.model(), new HashMap<>()).remove(k.alias());
        break;
      case CHANGE:
        changes.getOrDefault(k.model(), new LinkedHashMap<>()).remove(k.toString());
        break;
      case CHUNK:
        chunks.getOrDefault(RegistryKey.version(k.model(), k.version()).toString(), new HashMap<>())
            .remove(k.chunk());
        break;
      default:
        versions.getOrDefault(k.model(), new TreeMap<>()).remove(k.version());
        pending.remove(k.toString());
        chunkedVersions.remove(k.toString());
        chunks.remove(k.toString());
    }
  }

  private void putVersion(ModelVersion v, ChunkManifest manifest) {
    versions.computeIfAbsent(v.name(), n -> new TreeMap<>()).put(v.version(), v);
    if (manifest == null) {
      chunkedVersions.remove(v.key());
    } else {
      chunkedVersions.put(v.key(), manifest);
    }
  }

  private void tryAssemble(String versionKey) {
    RegistryCodec.ManifestEntry m = pending.get(versionKey);
    Map<Integer, ModelChunkRecord> have = chunks.getOrDefault(versionKey, Map.of());
    if (m == null || have.size() < m.manifest().count()) {
      return;
    }
    try {
      ModelVersion v = Chunks.assembleChunks(codec, m, have::get);
      putVersion(v, m.manifest());
      pending.remove(versionKey);
      chunks.remove(versionKey); // the assembled version holds the data now
    } catch (InvalidModelException e) {
      log.warn("version {} cannot be assembled from its chunks: {}", versionKey, e.getMessage());
    }
  }

  /** Every model with a version, a pending version or an alias, sorted. */
  public SortedSet<String> models() {
    SortedSet<String> out = new TreeSet<>();
    versions.forEach((m, vs) -> {
      if (!vs.isEmpty()) {
        out.add(m);
      }
    });
    aliases.forEach((m, as) -> {
      if (!as.isEmpty()) {
        out.add(m);
      }
    });
    pending.values().forEach(p -> out.add(p.metadata().name()));
    return out;
  }

  /** The newest version of a model, if it has any. */
  public Optional<ModelVersion> latest(String model) {
    NavigableMap<Long, ModelVersion> all = versions.get(model);
    return all == null || all.isEmpty() ? Optional.empty() : Optional.of(all.lastEntry().getValue());
  }

  /** The highest version number taken for a model (0 for none), counting pending chunked ones. */
  public long latestVersionNumber(String model) {
    long highest = latest(model).map(ModelVersion::version).orElse(0L);
    for (RegistryCodec.ManifestEntry p : pending.values()) {
      if (p.metadata().name().equals(model)) {
        highest = Math.max(highest, p.metadata().version());
      }
    }
    return highest;
  }

  /** One version. */
  public Optional<ModelVersion> version(String model, long version) {
    return Optional.ofNullable(versions.getOrDefault(model, Collections.emptyNavigableMap()).get(version));
  }

  /** How a version is stored in chunks, if it is. */
  public Optional<ChunkManifest> chunking(String model, long version) {
    return Optional.ofNullable(chunkedVersions.get(RegistryKey.version(model, version).toString()));
  }

  /** Versions whose manifest arrived but that cannot be assembled (yet), by key. */
  public SortedSet<String> pendingVersions() {
    return new TreeSet<>(pending.keySet());
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

  /** Every change of a model's aliases, in topic order. */
  public List<AliasChange> history(String model) {
    return List.copyOf(changes.getOrDefault(model, new LinkedHashMap<>()).values());
  }

  /** Every change of one alias, in topic order. */
  public List<AliasChange> history(String model, String alias) {
    return history(model).stream().filter(c -> c.alias().equals(alias)).toList();
  }

  /**
   * Where a rollback of {@code alias} goes: the version it pointed at before its current one
   * came, skipping versions since rolled back from or deleted. The alias's history is replayed as
   * a stack: a move pushes its version, a rollback pops, a deletion clears.
   */
  public OptionalLong rollbackTarget(String model, String alias) {
    AliasMove current = aliases(model).get(alias);
    if (current == null) {
      return OptionalLong.empty();
    }
    Deque<Long> stack = new ArrayDeque<>();
    for (AliasChange c : history(model, alias)) {
      switch (c.action()) {
        case ROLLBACK:
          stack.pollLast();
          if (stack.isEmpty() || stack.peekLast() != c.version()) {
            stack.addLast(c.version());
          }
          break;
        case DELETE:
          stack.clear();
          break;
        default:
          // a gap (moves whose records compaction dropped): the move says where it came from
          if (c.previousVersion() > 0 && (stack.isEmpty() || stack.peekLast() != c.previousVersion())) {
            stack.addLast(c.previousVersion());
          }
          if (stack.peekLast() == null || stack.peekLast() != c.version()) {
            stack.addLast(c.version());
          }
      }
    }
    if (stack.isEmpty() || stack.peekLast() != current.version()) {
      // moved by a writer that recorded no change (and compaction dropped the alias's past value)
      if (current.previousVersion() > 0
          && (stack.isEmpty() || stack.peekLast() != current.previousVersion())) {
        stack.addLast(current.previousVersion());
      }
      stack.addLast(current.version());
    }
    stack.pollLast();
    while (!stack.isEmpty()) {
      long candidate = stack.pollLast();
      if (candidate != current.version() && version(model, candidate).isPresent()) {
        return OptionalLong.of(candidate);
      }
    }
    return OptionalLong.empty();
  }

  /** The highest version an alias ever pointed at (0 for none), from its history and its value. */
  public long highestEverAliased(String model, String alias) {
    long highest = Optional.ofNullable(aliases(model).get(alias)).map(AliasMove::version).orElse(0L);
    for (AliasChange c : history(model, alias)) {
      highest = Math.max(highest, c.version());
    }
    return highest;
  }

  /** Alias moves seen only as alias values, whose change has no record of its own yet. */
  public List<AliasChange> unrecordedChanges() {
    List<AliasChange> out = new ArrayList<>();
    changes.values().forEach(m -> m.values().stream().filter(c -> !c.recorded()).forEach(out::add));
    return out;
  }
}
