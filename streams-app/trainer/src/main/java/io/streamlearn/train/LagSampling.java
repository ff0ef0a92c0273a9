package io.streamlearn.train;

import io.streamlearn.app.IdHash;
import java.nio.charset.StandardCharsets;

/**
 * Bounded staleness ({@code max.lag}, {@code train --max-lag}): while the trainer's backlog (the
 * records after the one it is about to read) exceeds {@code maxLag}, it trains on a deterministic
 * sample of what it reads, at the rate {@code maxLag / backlog} rounded down to a sixteenth and at
 * least {@link #MIN_RATE}; at or under the bound it trains on everything. The rate is chosen per
 * chunk (about a batch), so a version's lineage splits into few ranges, each with one rate.
 *
 * <p>Which events a rate keeps is a pure function of the id, like {@link HoldOut}'s choice, but an
 * independent one: the same FNV-1a 64 hash of the id's UTF-8 bytes, put through MurmurHash3's
 * 64-bit finalizer after a xor with a constant, then bucketed into a million. So the held-out share
 * of a sample is the held-out share of the stream, and a replay after a restart samples alike.
 * Held-out events are never sampled out: the hold-out set measures versions whatever the lag.
 */
public final class LagSampling {
  /** The rate never falls below this: a trainer far behind still learns from one event in sixteen. */
  public static final double MIN_RATE = 1.0 / 16;
  private static final int STEPS = 16;
  private static final long SALT = 0x9e3779b97f4a7c15L;
  private static final int BUCKETS = 1_000_000;

  private LagSampling() {}

  /**
   * The share of events to train on with {@code backlog} records waiting: 1 when {@code maxLag} is 0
   * (off) or the backlog is within it, else {@code maxLag / backlog} rounded down to a sixteenth,
   * at least {@link #MIN_RATE}.
   */
  public static double rate(long maxLag, long backlog) {
    if (maxLag <= 0 || backlog <= maxLag) {
      return 1.0;
    }
    double steps = Math.floor((double) maxLag / backlog * STEPS);
    return Math.max(MIN_RATE, steps / STEPS);
  }

  /**
   * Whether the event with this id is trained on at {@code rate} (unless held out): a pure function
   * of the id, so an audit recounts a lineage range's skipped events from the ids in it.
   */
  public static boolean keeps(String id, double rate) {
    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
    return keeps(utf8, 0, utf8.length, rate);
  }

  /** As {@link #keeps(String, double)}, on the id's UTF-8 bytes {@code [from, from + length)}. */
  static boolean keeps(byte[] utf8, int from, int length, double rate) {
    if (rate >= 1) {
      return true;
    }
    long h = IdHash.mix(IdHash.fnv1a(utf8, from, length) ^ SALT);
    return IdHash.bucket(h, BUCKETS) < (long) (rate * BUCKETS);
  }
}
