package io.streamlearn.eval;

import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.KafkaRegistry;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Promotes through the registry topic with {@link KafkaRegistry}'s alias move, the same API the
 * registry server uses: the move is an {@code AliasRecord} with {@code movedBy}, the reason and
 * the previous version, which inference follows. Not an HTTP client, so no registry token applies.
 */
public final class RegistryChallengerPromoter implements ChallengerPromoter, AutoCloseable {
  /** The {@code movedBy} of an automatic promotion. */
  public static final String MOVED_BY = "auto-promote";
  private static final Logger log = LoggerFactory.getLogger(RegistryChallengerPromoter.class);

  private final KafkaRegistry registry;

  /** Follows the registry {@code topic} on the cluster {@code clientProperties} names. */
  public RegistryChallengerPromoter(Map<String, Object> clientProperties, String topic) {
    this.registry = KafkaRegistry.open(clientProperties, topic);
  }

  @Override
  public Outcome promote(String model, String alias, long fromVersion, long toVersion, String reason) {
    registry.sync();
    AliasMove current = registry.read(s -> s.aliases(model).get(alias));
    long now = current == null ? 0 : current.version();
    if (now == toVersion) {
      return Outcome.ALREADY_THERE;
    }
    if (now != fromVersion) {
      log.warn("not promoting {}@{} to v{}: it points at v{}, not at the tested live v{}", model, alias, toVersion,
          now, fromVersion);
      return Outcome.MOVED_ELSEWHERE;
    }
    registry.setAlias(model, alias, toVersion, MOVED_BY, reason);
    return Outcome.MOVED;
  }

  @Override
  public void close() {
    registry.close();
  }
}
