package io.streamlearn.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Float16Test {
  @Test
  void knownValuesConvertExactly() {
    assertEquals((short) 0x3C00, Float16.fromFloat(1f));
    assertEquals((short) 0xC000, Float16.fromFloat(-2f));
    assertEquals((short) 0x7BFF, Float16.fromFloat(65504f));
    assertEquals((short) 0x7C00, Float16.fromFloat(65520f), "rounds up to infinity");
    assertEquals((short) 0x0001, Float16.fromFloat(0x1p-24f), "smallest subnormal");
    assertEquals((short) 0x0000, Float16.fromFloat(0x1p-26f), "underflows to zero");
    assertEquals((short) 0x2E66, Float16.fromFloat(0.1f));
    assertEquals((short) 0x0400, Float16.fromFloat(0x1p-14f), "smallest normal");
    assertEquals(0.0999755859375f, Float16.toFloat((short) 0x2E66));
    assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN))));
  }

  @Test
  void everyFloat16ValueSurvivesARoundTrip() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Float16.toFloat((short) h);
      if (Float.isNaN(f)) {
        continue;
      }
      assertEquals((short) h, Float16.fromFloat(f), "half 0x" + Integer.toHexString(h) + " = " + f);
    }
  }

  @Test
  void roundingIsToNearestWithTiesToEven() {
    float one = 1f;
    float ulp = 0x1p-10f; // float16 spacing at 1
    assertEquals(one, Float16.round(one + ulp / 2), "tie rounds to even (1.0)");
    assertEquals(one + 2 * ulp, Float16.round(one + 1.5f * ulp), "tie rounds to even (1 + 2ulp)");
    assertEquals(one + ulp, Float16.round(one + 0.6f * ulp));
    for (float x = -3f; x < 3f; x += 0.001f) {
      assertTrue(Math.abs(Float16.round(x) - x) <= Math.max(Math.abs(x), 0x1p-14f) * 0x1p-11f,
          "relative error of " + x + " within half an ulp, got " + Float16.round(x));
    }
  }
}
