package io.streamlearn.app;

/**
 * The hash of an event id behind every deterministic per-event choice: the trainer's hold-out, its
 * lag sampling and serve's canary split. FNV-1a 64 over the id's UTF-8 bytes; the choices that must
 * be independent of the hold-out's (which buckets the plain hash) put it through {@link #mix}
 * first, each with a value of its own xor-ed in.
 *
 * <p>The arithmetic is part of the contract: it decides which events a trainer holds out and which
 * key a canary scores, so a restarted or upgraded instance must choose exactly as before.
 */
public final class IdHash {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private IdHash() {}

  /** FNV-1a 64 of the bytes {@code [from, from + length)}. */
  public static long fnv1a(byte[] utf8, int from, int length) {
    long h = FNV_OFFSET;
    for (int i = from; i < from + length; i++) {
      h ^= utf8[i] & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }

  /** FNV-1a 64 of all the bytes. */
  public static long fnv1a(byte[] utf8) {
    return fnv1a(utf8, 0, utf8.length);
  }

  /** MurmurHash3's 64-bit finalizer (fmix64): every input bit flips each output bit with probability about 1/2. */
  public static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** The hash's bucket in {@code [0, buckets)}, the hash read as unsigned. */
  public static long bucket(long hash, int buckets) {
    return Long.remainderUnsigned(hash, buckets);
  }
}
