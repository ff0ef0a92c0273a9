package io.streamlearn.eval;

/**
 * Moves the served alias to a challenger's version: the seam between the challenger test, which
 * decides, and the registry, which holds the alias. A typed outcome says what happened, so the
 * caller records it and never moves an alias a person has moved since the pair was tested.
 */
public interface ChallengerPromoter {
  /** What a promotion did. */
  enum Outcome {
    /** The alias pointed at the live version and now points at the challenger's. */
    MOVED,
    /** The alias already pointed at the challenger's version (a promotion retried after a crash). */
    ALREADY_THERE,
    /** The alias points at neither version any more: someone moved it; left alone. */
    MOVED_ELSEWHERE
  }

  /**
   * Points {@code alias} of {@code model} at {@code toVersion} if it still points at {@code
   * fromVersion}, as {@code movedBy "auto-promote"} with {@code reason}.
   *
   * @throws io.streamlearn.registry.RegistryException when the registry cannot be written (the
   *     caller retries with the record)
   */
  Outcome promote(String model, String alias, long fromVersion, long toVersion, String reason);

  /** A promoter for a topology built without auto-promotion: it refuses to be called. */
  static ChallengerPromoter none() {
    return (model, alias, from, to, reason) -> {
      throw new IllegalStateException("auto-promotion is off: no registry to move " + model + "@" + alias);
    };
  }
}
