package io.streamlearn.registry;

import java.util.Objects;

/**
 * How a version too large for one record is stored: {@code count} chunks under {@code
 * name:version#chunk-0 ... #chunk-(count-1)} whose data concatenated are {@code totalBytes} bytes
 * with SHA-256 {@code sha256}: the full version record, single-object encoded.
 *
 * @param count number of chunks, at least 1
 * @param totalBytes length of the reassembled record
 * @param sha256 hex SHA-256 of the reassembled record
 */
public record ChunkManifest(int count, long totalBytes, String sha256) {
  /** Validates. */
  public ChunkManifest {
    if (count < 1) {
      throw new IllegalArgumentException("chunk count must be >= 1, found " + count);
    }
    if (totalBytes < count) {
      throw new IllegalArgumentException("totalBytes must be >= count (" + count + "), found "
          + totalBytes);
    }
    Objects.requireNonNull(sha256, "sha256");
  }
}
