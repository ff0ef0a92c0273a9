package io.streamlearn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PreprocessingTest {
  @Test
  void scalingSubtractsTheOffsetThenMultipliesInPlace() {
    Preprocessing p = new Preprocessing("standard", new float[] {1, 2}, new float[] {2, 0.5f});
    float[] x = {3, 4, 1, 2};
    p.apply(x, 2);
    assertArrayEquals(new float[] {4, 1, 0, 0}, x);
    assertFalse(p.isIdentity());
    assertEquals(2, p.features());
    assertThrows(IllegalArgumentException.class, () -> p.apply(new float[3], 2));
  }

  @Test
  void identityHasNoFeaturesAndLeavesRowsAsTheyAre() {
    Preprocessing identity = Preprocessing.identity();
    assertTrue(identity.isIdentity());
    assertEquals("identity", identity.kind());
    assertEquals(0, identity.features());
    float[] x = {3, 4};
    identity.apply(x, 1);
    assertArrayEquals(new float[] {3, 4}, x);
  }

  @Test
  void statisticsThatChangeNothingFreezeToTheStoredIdentity() {
    assertEquals(Preprocessing.identity(), Preprocessing.scaling("minmax", new float[] {0, 0}, new float[] {1, 1}));
    Preprocessing shifted = Preprocessing.scaling("minmax", new float[] {0, 1}, new float[] {1, 1});
    assertEquals(new Preprocessing("minmax", new float[] {0, 1}, new float[] {1, 1}), shifted);
    assertThrows(IllegalArgumentException.class, () -> Preprocessing.scaling("minmax", new float[0], new float[0]));
  }

  @Test
  void mismatchedLengthsAreRefusedAndNonFiniteValuesOnlyWhenRequired() {
    assertThrows(IllegalArgumentException.class,
        () -> new Preprocessing("standard", new float[] {1}, new float[] {1, 2}));
    // A stored artifact decodes as it is; the engine asks for finite values before serving it.
    Preprocessing nan = new Preprocessing("standard", new float[] {1, Float.NaN}, new float[] {1, 2});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, nan::requireFinite);
    assertTrue(e.getMessage().contains("offset[1]"), e.getMessage());
    Preprocessing fine = new Preprocessing("standard", new float[] {1}, new float[] {2});
    assertSame(fine, fine.requireFinite());
  }
}
