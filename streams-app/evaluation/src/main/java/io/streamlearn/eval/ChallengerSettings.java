package io.streamlearn.eval;

import io.streamlearn.config.Checks;
import io.streamlearn.registry.RegistryKey;
import java.util.Objects;

/**
 * How the evaluation compares the shadow alias with the served one: which aliases, where the
 * shadow predictions come from, where the verdicts go, the test and whether a better challenger
 * is promoted.
 *
 * @param liveAlias the served alias the challenger is compared with (and moved on promotion)
 * @param challengerAlias the shadow alias, {@code null} when the comparison is off
 * @param shadowTopic the topic of the shadow alias's predictions
 * @param verdictsTopic where {@code ChallengerVerdict} records go
 * @param test the sequential test and its error rates
 * @param autoPromote whether "challenger better" moves {@code liveAlias} to the challenger's version
 */
public record ChallengerSettings(String liveAlias, String challengerAlias, String shadowTopic, String verdictsTopic,
                                 ChallengerSprt test, boolean autoPromote) {
  /** Validates. */
  public ChallengerSettings {
    RegistryKey.checkAlias(liveAlias);
    if (challengerAlias != null) {
      RegistryKey.checkAlias(challengerAlias);
      if (challengerAlias.equals(liveAlias)) {
        throw new IllegalArgumentException("challengerAlias must differ from liveAlias, found " + challengerAlias);
      }
    }
    Checks.text("shadowTopic", shadowTopic);
    Checks.text("verdictsTopic", verdictsTopic);
    Objects.requireNonNull(test, "test");
    if (autoPromote && challengerAlias == null) {
      throw new IllegalArgumentException("autoPromote needs a challengerAlias (shadow.alias), found none");
    }
  }

  /** Whether a challenger is compared at all. */
  public boolean enabled() {
    return challengerAlias != null;
  }
}
