package io.streamlearn.learn.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ReferenceSketchTest {

  @Test
  void psiOfAHandComputedShiftIsTheSumOfShareDifferencesTimesLogRatios() {
    // shares 0.5/0.5 -> 0.8/0.2: 0.3 ln 1.6 + 0.3 ln 2.5
    assertEquals(0.4158883083, Psi.of(new long[] {50, 50}, new long[] {80, 20}), 1e-9);
    assertEquals(0.0, Psi.of(new long[] {10, 30}, new long[] {1, 3}), 1e-12);
  }

  @Test
  void anEmptyReferenceBinCountsAsTheFloorInsteadOfMakingPsiInfinite() {
    // shares 1/0 -> 0.5/0.5, the empty bin floored at 1e-4: -0.5 ln 0.5 + 0.4999 ln 5000
    assertEquals(4.6043185, Psi.of(new long[] {100, 0}, new long[] {50, 50}), 1e-6);
    assertThrows(IllegalArgumentException.class, () -> Psi.of(new long[] {1, 1}, new long[] {0, 0}));
    assertThrows(IllegalArgumentException.class, () -> Psi.of(new long[] {1, 1}, new long[] {1, 1, 1}));
  }

  @Test
  void theCutsAreTheWarmUpQuantilesAndTheWarmUpRowsAreCountedInTheirBins() {
    ReferenceSketch sketch = new ReferenceSketch(2, 4, 64, 10);
    float[] x = new float[20];
    for (int i = 0; i < 10; i++) {
      x[2 * i] = i + 1; // 1..10
      x[2 * i + 1] = -(i + 1);
    }
    sketch.add(x, 10);
    assertTrue(sketch.fixed());
    FeatureReference ref = sketch.reference();
    // nearest-rank quantiles 1/4, 2/4, 3/4 of 1..10: the 3rd, 5th and 8th values
    assertArrayEquals(new float[] {3, 5, 8}, ref.cuts()[0]);
    assertArrayEquals(new long[] {2, 2, 3, 3}, ref.counts(0)); // {1,2} {3,4} {5,6,7} {8,9,10}
    assertArrayEquals(new float[] {-8, -6, -3}, ref.cuts()[1]);
    sketch.add(new float[] {100, Float.NaN}, 1); // after warm-up: counted; a NaN is not
    assertArrayEquals(new long[] {2, 2, 3, 4}, sketch.reference().counts(0));
    assertEquals(10, sketch.reference().counts(1)[0] + sketch.reference().counts(1)[1]
        + sketch.reference().counts(1)[2] + sketch.reference().counts(1)[3]);
    assertEquals(0, ref.bin(0, 2.9f));
    assertEquals(1, ref.bin(0, 3f));
    assertEquals(3, ref.bin(0, 1e9f));
  }

  @Test
  void columnsPastTheCapAreUnsketchedAndAPublicationBeforeTheWarmUpEndsFixesTheCuts() {
    ReferenceSketch sketch = new ReferenceSketch(5, 10, 3, 500);
    assertNull(sketch.reference());
    sketch.add(new float[] {1, 2, 3, 4, 5, 2, 3, 4, 5, 6}, 2);
    assertFalse(sketch.fixed());
    FeatureReference ref = sketch.reference();
    assertTrue(sketch.fixed());
    assertEquals(3, ref.sketched());
    assertArrayEquals(new int[] {3, 5}, ref.unsketched());
    assertEquals(2, ref.examples());
  }

  @Test
  void theTextAVersionCarriesAndTheCheckpointBytesRoundTrip() {
    Random random = new Random(7);
    ReferenceSketch sketch = new ReferenceSketch(3, 10, 64, 100);
    float[] x = new float[3 * 60];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    sketch.add(x, 60);
    ReferenceSketch warming = ReferenceSketch.fromBytes(sketch.toBytes());
    assertFalse(warming.fixed());
    sketch.add(x, 60);
    warming.add(x, 60);
    assertEquals(sketch.reference(), warming.reference(), "the warm-up rows survive the checkpoint");
    ReferenceSketch fixed = ReferenceSketch.fromBytes(sketch.toBytes());
    assertEquals(sketch.reference(), fixed.reference());
    FeatureReference ref = sketch.reference();
    assertEquals(120, ref.examples());
    assertEquals(ref, FeatureReference.parse(ref.toText()));
    assertThrows(IllegalArgumentException.class, () -> FeatureReference.parse("reference 9\n1 0 0\n"));
    assertThrows(IllegalArgumentException.class, () -> ReferenceSketch.fromBytes(new byte[] {1, 2}));
  }
}
