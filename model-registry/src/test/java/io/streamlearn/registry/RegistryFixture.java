package io.streamlearn.registry;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and reads a registry-topic dump: the records of a small registry in topic order, as
 * {@code int keyLength, key (UTF-8), int valueLength (-1: tombstone), value}, after the header
 * {@code SLREG1\n}. The dump this release wrote is checked in (see {@link ReleasedArtifactTest});
 * {@code main} regenerates it, which a later release must never do for this file.
 */
final class RegistryFixture {
  static final String RESOURCE = "/fixtures/registry-0.1.0.bin";
  private static final byte[] HEADER = "SLREG1\n".getBytes(StandardCharsets.US_ASCII);

  private RegistryFixture() {}

  /** The records of the fixture: a float32 version, its float16 export, a chunked version, aliases. */
  static List<RegistryCodec.KeyValue> records() {
    RegistryCodec codec = new RegistryCodec();
    List<RegistryCodec.KeyValue> out = new ArrayList<>();
    ModelVersion v1 = Samples.dense("fixture", 1, 4, 3, 0f);
    out.addAll(codec.versionRecords(v1, RegistryCodec.DEFAULT_MAX_RECORD_BYTES));
    ModelVersion exported = InferenceExport.of(Samples.dense("fixture", 2, 4, 3, 0.25f), true);
    out.addAll(codec.versionRecords(exported, RegistryCodec.DEFAULT_MAX_RECORD_BYTES));
    ModelVersion big = Samples.dense("fixture", 3, 64, 40, 0.5f); // 10 kB of weights
    out.addAll(codec.versionRecords(big, 4096)); // in chunks
    out.addAll(codec.moveRecords(new AliasMove("fixture", "live", 1, Instant.ofEpochMilli(1_700_000_100_000L),
        "alice", "first", 0), AliasChange.Action.MOVE));
    out.addAll(codec.moveRecords(new AliasMove("fixture", "live", 3, Instant.ofEpochMilli(1_700_000_200_000L),
        "bob", "better holdout", 1), AliasChange.Action.MOVE));
    return out;
  }

  static byte[] dump(List<RegistryCodec.KeyValue> records) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(HEADER);
      for (RegistryCodec.KeyValue kv : records) {
        byte[] key = kv.key().getBytes(StandardCharsets.UTF_8);
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(kv.value() == null ? -1 : kv.value().length);
        if (kv.value() != null) {
          out.write(kv.value());
        }
      }
    }
    return bytes.toByteArray();
  }

  static List<RegistryCodec.KeyValue> read(InputStream stream) throws IOException {
    List<RegistryCodec.KeyValue> out = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(stream)) {
      byte[] header = in.readNBytes(HEADER.length);
      if (!java.util.Arrays.equals(header, HEADER)) {
        throw new IOException("not a registry dump (header " + new String(header, StandardCharsets.US_ASCII) + ")");
      }
      while (in.available() > 0) {
        String key = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        int length = in.readInt();
        out.add(new RegistryCodec.KeyValue(key, length < 0 ? null : in.readNBytes(length)));
      }
    }
    return out;
  }

  /** Regenerates the fixture file: {@code args[0]} is its path. */
  public static void main(String[] args) throws IOException {
    Files.write(Path.of(args[0]), dump(records()));
  }
}
