package io.streamlearn.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IdHashTest {
  @Test
  void fnv1aMatchesThePublishedTestVectors() {
    // FNV-1a 64 test vectors (Fowler, Noll, Vo): the hold-out's and the canary's choices depend on them
    assertEquals(0xcbf29ce484222325L, IdHash.fnv1a(new byte[0]));
    assertEquals(0xaf63dc4c8601ec8cL, IdHash.fnv1a("a".getBytes(StandardCharsets.UTF_8)));
    assertEquals(0x85944171f73967e8L, IdHash.fnv1a("foobar".getBytes(StandardCharsets.UTF_8)));
    byte[] padded = "xxfoobaryy".getBytes(StandardCharsets.UTF_8);
    assertEquals(0x85944171f73967e8L, IdHash.fnv1a(padded, 2, 6), "a slice hashes as the bytes alone");
  }

  @Test
  void mixIsMurmur3sFinalizerAndBucketsReadTheHashUnsigned() {
    // fmix64 values computed independently (Python, 64-bit arithmetic)
    assertEquals(0L, IdHash.mix(0L));
    assertEquals(0xb456bcfc34c2cb2cL, IdHash.mix(1L));
    assertEquals(0x2c22194922d1672bL, IdHash.mix(0x85944171f73967e8L));
    long h = 0x85944171f73967e8L; // negative as a signed long
    assertEquals(Long.remainderUnsigned(h, 1_000_000), IdHash.bucket(h, 1_000_000));
  }
}
