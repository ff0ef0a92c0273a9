package io.streamlearn.testkit.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratorsTest {
  @ParameterizedTest
  @ValueSource(strings = {"blobs", "hyperplane", "sea"})
  void sameSeedSameStreamAndLabelsInRange(String name) {
    StreamGenerator a = StreamGenerator.named(name, 11);
    StreamGenerator b = StreamGenerator.named(name, 11);
    StreamGenerator c = StreamGenerator.named(name, 12);
    int[] counts = new int[a.classCount()];
    boolean differs = false;
    for (int i = 0; i < 5_000; i++) {
      Example x = a.next();
      assertEquals(x, b.next(), "example " + i);
      differs |= !x.equals(c.next());
      assertEquals(a.featureCount(), x.features().length);
      counts[x.label()]++;
    }
    assertTrue(differs, "another seed gives another stream");
    for (int k = 0; k < counts.length; k++) {
      assertTrue(counts[k] > 5_000 / counts.length / 3, "class " + k + " is rare: " + counts[k]);
    }
  }

  @Test
  void hyperplaneFlipInvertsLabels() {
    RotatingHyperplane a = new RotatingHyperplane(5, 3, 0, 0);
    RotatingHyperplane b = new RotatingHyperplane(5, 3, 0, 0);
    b.flip();
    for (int i = 0; i < 100; i++) {
      assertNotEquals(a.next().label(), b.next().label());
    }
  }

  @Test
  void seaSwitchesConceptAbruptly() {
    Sea sea = new Sea(1, 10, 0);
    // theta 8 then 9: the point (4.25, 4.25) is class 1 under both, (4.4, 4.4) only under 9.
    int before = 0;
    int after = 0;
    for (int i = 0; i < 20; i++) {
      Example e = sea.next();
      float[] x = e.features();
      boolean between = x[0] + x[1] > 8 && x[0] + x[1] <= 9;
      if (between && i < 10) {
        before += e.label();
      } else if (between) {
        after += 1 - e.label();
      }
    }
    assertEquals(0, before + after, "labels follow theta 8, then 9");
  }

  @Test
  void invalidArgumentsNameTheField() {
    var e = assertThrows(IllegalArgumentException.class, () -> new GaussianBlobs(1, 2, 0, 0));
    assertTrue(e.getMessage().contains("classes"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StreamGenerator.named("nope", 0));
  }
}
