package io.streamlearn.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of an alias, as kept in its history: moved (set or promoted), rolled back, or
 * deleted, with who, when and why.
 *
 * @param model the model name
 * @param alias the alias
 * @param action what happened
 * @param version the version it points at after the change (for a deletion, the one it pointed at)
 * @param previousVersion the version it pointed at before, 0 for none
 * @param changedAt when
 * @param changedBy who (a user, {@code trainer}, {@code registry-policy}, ...)
 * @param reason why
 * @param recorded whether the change has its own record on the topic; {@code false} for a move
 *     seen only as the alias's current value (which compaction will drop), see {@link RegistryState}
 */
public record AliasChange(String model, String alias, Action action, long version,
                          long previousVersion, Instant changedAt, String changedBy, String reason,
                          boolean recorded) {
  /** What happened to the alias. */
  public enum Action { MOVE, ROLLBACK, DELETE }

  /** Validates. */
  public AliasChange {
    RegistryKey.checkModelName(model);
    RegistryKey.checkAlias(alias);
    Objects.requireNonNull(action, "action");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, found " + version);
    }
    if (previousVersion < 0) {
      throw new IllegalArgumentException("previousVersion must be >= 0, found " + previousVersion);
    }
    Objects.requireNonNull(changedAt, "changedAt");
    Objects.requireNonNull(changedBy, "changedBy");
    Objects.requireNonNull(reason, "reason");
  }

  /** The change a move makes. */
  public static AliasChange of(AliasMove move, Action action, boolean recorded) {
    return new AliasChange(move.model(), move.alias(), action, move.version(),
        move.previousVersion(), move.movedAt(), move.movedBy(), move.reason(), recorded);
  }

  /** The registry key of this change, unique to it. */
  public String key() {
    return RegistryKey.change(model, alias, changedAt.toEpochMilli(), version).toString();
  }

  /** The same change, marked as recorded on the topic. */
  public AliasChange asRecorded() {
    return new AliasChange(model, alias, action, version, previousVersion, changedAt, changedBy,
        reason, true);
  }
}
