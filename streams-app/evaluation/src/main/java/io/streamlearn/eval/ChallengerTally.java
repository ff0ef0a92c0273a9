package io.streamlearn.eval;

import io.streamlearn.eval.ChallengerSprt.Verdict;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The paired counts of one (live version, challenger version), as the challenger test's store
 * keeps them, and the verdict reached on them.
 *
 * @param pairs n, every leak-free event both versions were evaluated on
 * @param liveOnly b, live right and the challenger wrong
 * @param challengerOnly c, the challenger right and live wrong
 * @param verdict the first boundary the test reached; it stands once reached
 * @param decidedAtPairs n when it was reached, 0 while undecided
 * @param promotion what auto-promotion did about it
 */
record ChallengerTally(long pairs, long liveOnly, long challengerOnly, Verdict verdict, long decidedAtPairs,
                       Promotion promotion) {
  private static final byte FORMAT = 1;
  private static final int BYTES = 1 + 8 * 4 + 2;

  /** What auto-promotion did for a pair of versions; attempted once. */
  enum Promotion {
    /** Not attempted (undecided, not better, or auto-promotion off). */
    NONE,
    /** The served alias moved to the challenger's version (or already pointed there). */
    PROMOTED,
    /** The served alias had moved elsewhere since: left alone. */
    DECLINED
  }

  /** Validates. */
  ChallengerTally {
    if (pairs < 0 || liveOnly < 0 || challengerOnly < 0 || liveOnly + challengerOnly > pairs) {
      throw new IllegalArgumentException("counts must satisfy 0 <= b + c <= n, found n=" + pairs + " b="
          + liveOnly + " c=" + challengerOnly);
    }
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(promotion, "promotion");
  }

  /** Nothing counted yet. */
  static ChallengerTally empty() {
    return new ChallengerTally(0, 0, 0, Verdict.UNDECIDED, 0, Promotion.NONE);
  }

  /** These counts with one more pair, and the verdict {@code test} reaches on them if none was reached before. */
  ChallengerTally add(ChallengerPairing.PairOutcome outcome, ChallengerSprt test) {
    long n = pairs + 1;
    long b = liveOnly + (outcome == ChallengerPairing.PairOutcome.LIVE_ONLY ? 1 : 0);
    long c = challengerOnly + (outcome == ChallengerPairing.PairOutcome.CHALLENGER_ONLY ? 1 : 0);
    if (verdict != Verdict.UNDECIDED) {
      return new ChallengerTally(n, b, c, verdict, decidedAtPairs, promotion);
    }
    Verdict now = test.verdict(b, c);
    return new ChallengerTally(n, b, c, now, now == Verdict.UNDECIDED ? 0 : n, promotion);
  }

  ChallengerTally with(Promotion p) {
    return new ChallengerTally(pairs, liveOnly, challengerOnly, verdict, decidedAtPairs, p);
  }

  byte[] encode() {
    return ByteBuffer.allocate(BYTES).put(FORMAT).putLong(pairs).putLong(liveOnly).putLong(challengerOnly)
        .putLong(decidedAtPairs).put((byte) verdict.ordinal()).put((byte) promotion.ordinal()).array();
  }

  /** Decodes {@link #encode()}'s bytes; {@code null} is {@link #empty()}. */
  static ChallengerTally decode(byte[] bytes) {
    if (bytes == null) {
      return empty();
    }
    if (bytes.length != BYTES || bytes[0] != FORMAT) {
      throw new IllegalArgumentException("a challenger tally is " + BYTES + " bytes of format " + FORMAT
          + ", found " + bytes.length + " bytes" + (bytes.length > 0 ? " of format " + bytes[0] : ""));
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, 1, BYTES - 1);
    long n = in.getLong();
    long b = in.getLong();
    long c = in.getLong();
    long decidedAt = in.getLong();
    return new ChallengerTally(n, b, c, Verdict.values()[in.get()], decidedAt, Promotion.values()[in.get()]);
  }
}
