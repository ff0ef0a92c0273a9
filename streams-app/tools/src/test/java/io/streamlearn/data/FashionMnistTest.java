package io.streamlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  private static byte[] idx(int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x0800 | dims.length);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(data);
    return bytes.toByteArray();
  }

  private static void write(Path file, byte[] content, boolean gzip) throws IOException {
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(content);
    }
  }

  @Test
  void readsGzippedAndPlainFiles(@TempDir Path dir) throws IOException {
    byte[] pixels = new byte[3 * 2 * 2];
    for (int k = 0; k < pixels.length; k++) {
      pixels[k] = (byte) (k * 20);
    }
    pixels[11] = (byte) 255;
    write(dir.resolve("t10k-images-idx3-ubyte.gz"), idx(new int[] {3, 2, 2}, pixels), true);
    write(dir.resolve("t10k-labels-idx1-ubyte"), idx(new int[] {3}, new byte[] {9, 0, 4}), false);
    Dataset test = FashionMnist.load(dir, false);
    assertEquals(3, test.rows());
    assertEquals(4, test.cols());
    assertArrayEquals(new int[] {9, 0, 4}, test.labels());
    assertEquals(20f / 255f, test.features()[1], 1e-7f);
    assertEquals(1f, test.features()[11], 0f);
    assertEquals(10, test.classes());
  }

  @Test
  void namesTheMissingFile(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir, true));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
  }

  @Test
  void rejectsWrongMagic(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("x.idx");
    Files.write(file, new byte[] {0, 0, 0x0D, 1, 0, 0, 0, 0});
    assertThrows(IOException.class, () -> Idx.read(file));
  }
}
