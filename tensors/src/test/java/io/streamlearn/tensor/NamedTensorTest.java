package io.streamlearn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class NamedTensorTest {
  @Test
  void aTensorCopiesItsArraysInAndOut() {
    float[] data = {1, 2, 3, 4, 5, 6};
    int[] shape = {2, 3};
    NamedTensor t = new NamedTensor("w", shape, data);
    data[0] = 99;
    shape[0] = 7;
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.data());
    assertArrayEquals(new int[] {2, 3}, t.shape());
    t.data()[1] = 42;
    assertEquals(2f, t.data()[1]);
    assertTrue(t.hasShape(2, 3));
    float[] dest = new float[8];
    t.copyTo(dest, 2);
    assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4, 5, 6}, dest);
    assertEquals(new NamedTensor("w", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}), t);
  }

  @Test
  void aTensorRefusesABlankNameAShapeItsDataDoNotFillAndAnEmptyDimension() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new NamedTensor("w", new int[] {4}, new float[3]));
    assertTrue(e.getMessage().contains("w") && e.getMessage().contains("3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new NamedTensor(" ", new int[] {1}, new float[1]));
    assertThrows(IllegalArgumentException.class, () -> new NamedTensor("w", new int[] {0}, new float[0]));
  }

  @Test
  void float32BytesAreLittleEndianAndReadBackExactly() {
    NamedTensor t = new NamedTensor("b", new int[] {2}, new float[] {1f, -0.1f});
    byte[] bytes = t.storedBytes();
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, java.util.Arrays.copyOf(bytes, 4));
    assertEquals(t, NamedTensor.fromStoredBytes("b", new int[] {2}, NamedTensor.DType.FLOAT32, ByteBuffer.wrap(bytes)));
    assertFalse(new NamedTensor("n", new int[] {1}, new float[] {Float.NaN}).allFinite());
  }
}
