package io.streamlearn.tensor;

/**
 * IEEE 754 binary16 conversions (Java 17 has none): round-to-nearest-even narrowing, exact
 * widening. Values beyond the float16 range (|x| > 65504) become infinity, which a checked
 * artifact refuses.
 */
public final class Float16 {
  /** The largest finite float16 value. */
  public static final float MAX_VALUE = 65504f;

  private Float16() {}

  /** The float16 bits nearest to {@code value} (ties to even). */
  public static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exponent == 0xff) { // NaN or infinity
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
    }
    int e = exponent - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign; // rounds to (signed) zero
      }
      int m = mantissa | 0x800000; // the implicit leading one
      int shift = 14 - e;
      int half = m >>> shift;
      int rest = m & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mantissa >>> 13);
    int rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++; // may carry into the exponent, up to infinity: both are right
    }
    return (short) (sign | half);
  }

  /** The float value of float16 bits (exact). */
  public static float toFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f; // subnormal: mantissa * 2^-24
      return sign != 0 ? -magnitude : magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /** {@code value} rounded to the nearest float16, as a float. */
  public static float round(float value) {
    return toFloat(fromFloat(value));
  }
}
