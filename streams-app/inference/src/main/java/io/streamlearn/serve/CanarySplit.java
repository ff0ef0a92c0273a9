package io.streamlearn.serve;

import io.streamlearn.app.IdHash;
import io.streamlearn.config.Checks;
import java.nio.charset.StandardCharsets;

/**
 * Which events a canary alias scores: a deterministic share of keys, chosen by a hash of the
 * record key (the event id on streamlearn's topics), so the same event goes to the same alias on
 * every instance, after every restart and rebalance, and a replay is scored the same way.
 *
 * <p>The hash is FNV-1a 64 of the key's UTF-8 bytes, mixed by MurmurHash3's 64-bit finalizer,
 * bucketed into {@value #BUCKETS}; the canary takes the buckets below {@code share}. The mixing
 * step is there because the trainer's hold-out ({@code HoldOut.isHeldOut}) buckets the same unmixed
 * FNV-1a hash: without it a 10% canary would get exactly the 10% of events the trainer never
 * trains on, and its served figures would be measured on another population than the served
 * alias's.
 *
 * @param alias the canary alias
 * @param share the share of keys it scores, in [0, 1]
 */
public record CanarySplit(String alias, double share) {
  /** Buckets of the split: a share is honoured to 1/10,000. */
  static final int BUCKETS = 10_000;

  /** Validates. */
  public CanarySplit {
    Checks.text("alias", alias);
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be in [0, 1], found " + share);
    }
  }

  /** Whether the event with this key goes to the canary alias. */
  public boolean routes(String key) {
    return bucket(key) < Math.round(share * BUCKETS);
  }

  /** The key's bucket in [0, {@value #BUCKETS}). */
  static int bucket(String key) {
    return (int) IdHash.bucket(IdHash.mix(IdHash.fnv1a(key.getBytes(StandardCharsets.UTF_8))), BUCKETS);
  }
}
