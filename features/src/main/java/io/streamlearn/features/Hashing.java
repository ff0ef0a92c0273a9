package io.streamlearn.features;

import java.nio.charset.StandardCharsets;

/**
 * Signed feature hashing, written out so that another implementation (a Python reference, an
 * exported model's pre-processor) can match it bit for bit: {@code h = murmur3_x86_32(utf8(value),
 * seed 0)} (the value scikit-learn's {@code murmurhash3_32(value, seed=0)} returns as a signed
 * int32); the bucket is the low 31 bits modulo the bucket count, the sign is bit 31 (set: -1). Bit 31
 * takes no part in the bucket, so sign and bucket are independent for a power-of-two bucket count
 * (and nearly so for others): collisions cancel in expectation instead of piling up.
 */
public final class Hashing {

  private Hashing() {}

  /** The bucket of hash {@code h} among {@code buckets}. */
  public static int bucket(int h, int buckets) {
    return (h & 0x7fffffff) % buckets;
  }

  /** The sign of hash {@code h}: -1 when bit 31 is set, else +1. */
  public static float sign(int h) {
    return h < 0 ? -1f : 1f;
  }

  /** MurmurHash3 x86 32-bit of the UTF-8 bytes of {@code value}, seed 0. */
  public static int murmur3(String value) {
    int length = value.length();
    for (int i = 0; i < length; i++) {
      if (value.charAt(i) >= 0x80) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return murmur3(bytes, 0, bytes.length, 0);
      }
    }
    // ASCII: each char is its UTF-8 byte, so hash the chars and skip the copy.
    int h = 0;
    int i = 0;
    for (; i + 4 <= length; i += 4) {
      int k = value.charAt(i) | value.charAt(i + 1) << 8 | value.charAt(i + 2) << 16 | value.charAt(i + 3) << 24;
      h = mixH(h, mixK(k));
    }
    int k = 0;
    switch (length & 3) {
      case 3:
        k ^= value.charAt(i + 2) << 16;
        // fall through
      case 2:
        k ^= value.charAt(i + 1) << 8;
        // fall through
      case 1:
        k ^= value.charAt(i);
        h ^= mixK(k);
        break;
      default:
        break;
    }
    return fmix(h ^ length);
  }

  /** MurmurHash3 x86 32-bit of {@code length} bytes from {@code offset}. */
  public static int murmur3(byte[] data, int offset, int length, int seed) {
    int h = seed;
    int i = offset;
    int end = offset + (length & ~3);
    for (; i < end; i += 4) {
      int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
      h = mixH(h, mixK(k));
    }
    int k = 0;
    switch (length & 3) {
      case 3:
        k ^= (data[i + 2] & 0xff) << 16;
        // fall through
      case 2:
        k ^= (data[i + 1] & 0xff) << 8;
        // fall through
      case 1:
        k ^= data[i] & 0xff;
        h ^= mixK(k);
        break;
      default:
        break;
    }
    return fmix(h ^ length);
  }

  private static int mixK(int k) {
    k *= 0xcc9e2d51;
    k = Integer.rotateLeft(k, 15);
    return k * 0x1b873593;
  }

  private static int mixH(int h, int k) {
    h ^= k;
    h = Integer.rotateLeft(h, 13);
    return h * 5 + 0xe6546b64;
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }
}
