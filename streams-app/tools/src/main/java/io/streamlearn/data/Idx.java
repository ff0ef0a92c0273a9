package io.streamlearn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reader of unsigned-byte IDX files (the MNIST format), plain or gzipped. */
public final class Idx {

  private Idx() {
  }

  /** The dimensions and bytes of one IDX file. */
  public record Array(int[] dims, byte[] data) {
    /** Validates and copies the dimensions (the data is large and kept as is). */
    public Array {
      if (dims == null || data == null) {
        throw new IllegalArgumentException("dims and data must not be null");
      }
      dims = dims.clone();
    }

    /** A copy of the dimensions. */
    @Override
    public int[] dims() {
      return dims.clone();
    }
  }

  /**
   * Reads an unsigned-byte IDX file; a name ending in {@code .gz} is decompressed.
   *
   * @throws IOException if the file is missing, truncated or not unsigned-byte IDX
   */
  public static Array read(Path file) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
       InputStream in = file.getFileName().toString().endsWith(".gz")
           ? new GZIPInputStream(raw, 1 << 16) : new BufferedInputStream(raw, 1 << 16);
       DataInputStream data = new DataInputStream(in)) {
      int magic = data.readInt();
      if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xFF) != 0x08) {
        throw new IOException(file + " is not an unsigned-byte IDX file (magic " + Integer.toHexString(magic) + ")");
      }
      int rank = magic & 0xFF;
      int[] dims = new int[rank];
      long size = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = data.readInt();
        size *= dims[i];
      }
      if (size > Integer.MAX_VALUE) {
        throw new IOException(file + " is too large: " + size + " values");
      }
      byte[] bytes = new byte[(int) size];
      data.readFully(bytes);
      return new Array(dims, bytes);
    }
  }
}
