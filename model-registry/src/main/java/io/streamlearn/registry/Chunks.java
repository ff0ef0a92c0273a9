package io.streamlearn.registry;

import io.streamlearn.schema.ChunkManifestRecord;
import io.streamlearn.schema.ModelChunkRecord;
import io.streamlearn.schema.ModelVersionRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * Splits a version too large for one record into chunks and reassembles it.
 *
 * <p>The full record (tensors inline) is single-object encoded, cut into slices of at most {@code
 * maxRecordBytes - }{@link #CHUNK_OVERHEAD} bytes, and written as {@code ModelChunkRecord}s under
 * {@code name:version#chunk-<i>}, each with the SHA-256 of its slice. Then, under {@code
 * name:version}, a manifest: the same version's metadata with no tensors, format 2 (3 when it
 * carries a feature pipeline), and a {@code
 * chunks} field giving the count, total length and SHA-256 of the whole. Readers that list
 * versions need only manifests; serving reassembles. A missing chunk, a chunk under another
 * index's key (a duplicate), a corrupt slice or a whole that does not match the manifest makes
 * the version invalid; it is never served partially.
 */
public final class Chunks {
  /** Bytes a chunk record needs besides its slice (header, name, counters, SHA-256), generously. */
  public static final int CHUNK_OVERHEAD = 1024;

  private Chunks() {}

  static List<RegistryCodec.KeyValue> split(RegistryCodec codec, ModelVersion v, byte[] full,
                                            int maxRecordBytes) {
    int slice = maxRecordBytes - CHUNK_OVERHEAD - v.name().length() * 4;
    if (slice < 1024) {
      throw new IllegalArgumentException("maxRecordBytes " + maxRecordBytes + " is too small to chunk "
          + v.key() + " (need > " + (CHUNK_OVERHEAD + 1024) + ")");
    }
    int count = (full.length + slice - 1) / slice;
    List<RegistryCodec.KeyValue> out = new ArrayList<>(count + 1);
    for (int i = 0; i < count; i++) {
      int from = i * slice;
      byte[] data = java.util.Arrays.copyOfRange(full, from, Math.min(full.length, from + slice));
      ModelChunkRecord chunk = new ModelChunkRecord(v.name(), v.version(), i, count,
          ByteBuffer.wrap(data), sha256(data));
      out.add(new RegistryCodec.KeyValue(RegistryKey.chunk(v.name(), v.version(), i).toString(),
          codec.encodeChunk(chunk)));
    }
    ModelVersionRecord manifest = Records.toRecord(v);
    manifest.setTensors(List.of());
    manifest.setFormatVersion(Math.max(2, v.minimumFormat()));
    manifest.setChunks(new ChunkManifestRecord(count, (long) full.length, sha256(full)));
    out.add(new RegistryCodec.KeyValue(v.key(), codec.encodeRecord(manifest)));
    return out;
  }

  /** Checks a decoded chunk against its key and its own SHA-256. */
  static ModelChunkRecord checkedChunk(RegistryKey key, ModelChunkRecord chunk) {
    RegistryKey claimed = RegistryKey.chunk(chunk.getName(), chunk.getVersion(), chunk.getIndex());
    if (!claimed.equals(key)) {
      throw new InvalidModelException("chunk " + claimed + " stored under key " + key
          + " (a duplicated or misplaced chunk)");
    }
    if (chunk.getIndex() < 0 || chunk.getIndex() >= chunk.getCount()) {
      throw new InvalidModelException("chunk " + key + " has index " + chunk.getIndex()
          + " outside [0, " + chunk.getCount() + ")");
    }
    byte[] data = bytes(chunk.getData());
    if (!sha256(data).equals(chunk.getSha256())) {
      throw new InvalidModelException("chunk " + key + " is corrupt: SHA-256 of its data does not match");
    }
    return chunk;
  }

  /**
   * The version a manifest describes, reassembled from its chunks read through {@code lookup}.
   *
   * @throws InvalidModelException naming the missing, duplicated or corrupt chunk, or a whole
   *     that does not match the manifest
   */
  public static ModelVersion assemble(RegistryCodec codec, RegistryCodec.ManifestEntry manifest,
                                      Function<String, byte[]> lookup) {
    ModelVersion meta = manifest.metadata();
    return assembleChunks(codec, manifest, i -> {
      String key = RegistryKey.chunk(meta.name(), meta.version(), i).toString();
      byte[] value = lookup.apply(key);
      if (value == null) {
        return null;
      }
      RegistryCodec.Entry entry = codec.decode(key, value);
      if (!(entry instanceof RegistryCodec.ChunkEntry c)) {
        throw new InvalidModelException(meta.key() + ": " + key + " is not a chunk");
      }
      return c.chunk();
    });
  }

  /** Same, from chunks already decoded and checked ({@code null} for a missing one). */
  static ModelVersion assembleChunks(RegistryCodec codec, RegistryCodec.ManifestEntry manifest,
                                     Function<Integer, ModelChunkRecord> chunks) {
    ModelVersion meta = manifest.metadata();
    ChunkManifest m = manifest.manifest();
    ByteArrayOutputStream whole = new ByteArrayOutputStream((int) Math.min(m.totalBytes(), 1 << 30));
    for (int i = 0; i < m.count(); i++) {
      ModelChunkRecord chunk = chunks.apply(i);
      if (chunk == null) {
        throw new InvalidModelException(meta.key() + ": chunk " + i + " of " + m.count()
            + " is missing (" + RegistryKey.chunk(meta.name(), meta.version(), i) + ")");
      }
      if (chunk.getCount() != m.count()) {
        throw new InvalidModelException(meta.key() + ": chunk " + i + " belongs to a split into "
            + chunk.getCount() + " chunks, the manifest says " + m.count());
      }
      whole.writeBytes(bytes(chunk.getData()));
    }
    byte[] full = whole.toByteArray();
    if (full.length != m.totalBytes() || !sha256(full).equals(m.sha256())) {
      throw new InvalidModelException(meta.key() + ": reassembled " + full.length + " bytes do not match"
          + " the manifest (" + m.totalBytes() + " bytes, SHA-256 " + m.sha256() + ")");
    }
    RegistryCodec.Entry entry;
    try {
      ModelVersionRecord record = codec.decodeRecord(meta.key(), full);
      if (record.getChunks() != null) {
        throw new InvalidModelException(meta.key() + ": a reassembled version is itself chunked");
      }
      ModelVersion v = Records.fromRecord(record);
      entry = new RegistryCodec.VersionEntry(manifest.key(), v);
    } catch (org.apache.kafka.common.errors.SerializationException | IllegalArgumentException e) {
      throw new InvalidModelException(meta.key() + ": reassembled record does not decode: "
          + e.getMessage(), e);
    }
    ModelVersion v = ((RegistryCodec.VersionEntry) entry).version();
    if (!v.key().equals(meta.key()) || !v.checksum().equals(meta.checksum())) {
      throw new InvalidModelException(meta.key() + ": reassembled version " + v.key() + " (checksum "
          + v.checksum() + ") is not the one the manifest describes (checksum " + meta.checksum() + ")");
    }
    return v.verifyChecksum();
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
