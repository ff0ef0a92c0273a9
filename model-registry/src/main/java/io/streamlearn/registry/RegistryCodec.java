package io.streamlearn.registry;

import io.streamlearn.schema.AliasAction;
import io.streamlearn.schema.AliasHistoryRecord;
import io.streamlearn.schema.AliasRecord;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.ChunkManifestRecord;
import io.streamlearn.schema.ModelChunkRecord;
import io.streamlearn.schema.ModelVersionRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Encodes model versions, chunks, alias moves and alias changes as the Avro records of the
 * registry topic, and decodes them back with every check a reader owes: known format version,
 * decodable body, matching key, valid fields and a verified checksum. Thread-safe.
 *
 * <p>Values written with the writer schemas listed in {@code writer-schemas/index.txt} (earlier
 * builds of this release) are resolved into the current schemas, so old artifacts stay readable.
 */
public final class RegistryCodec {
  /** The newest artifact format this release writes and reads (see {@link ModelVersion#minimumFormat()}). */
  public static final int FORMAT_VERSION = 3;
  /**
   * Largest value this codec writes by default: under Kafka's default 1 MiB record limits
   * ({@code message.max.bytes}, {@code max.request.size}), so the registry works on topics and
   * producers it did not configure. Larger versions are chunked.
   */
  public static final int DEFAULT_MAX_RECORD_BYTES = 1_000_000;

  private final AvroSerde<ModelVersionRecord> versionSerde = AvroSerde.of(ModelVersionRecord.class);
  private final AvroSerde<AliasRecord> aliasSerde = AvroSerde.of(AliasRecord.class);
  private final AvroSerde<AliasHistoryRecord> changeSerde = AvroSerde.of(AliasHistoryRecord.class);
  private final AvroSerde<ModelChunkRecord> chunkSerde = AvroSerde.of(ModelChunkRecord.class);

  /** A codec that also reads the writer schemas of earlier builds. */
  public RegistryCodec() {
    for (Schema writer : earlierWriterSchemas()) {
      for (AvroSerde<?> serde : List.of(versionSerde, aliasSerde, changeSerde, chunkSerde)) {
        if (writer.getFullName().equals(serde.schema().getFullName())) {
          serde.withWriterSchema(writer);
        }
      }
    }
  }

  /** One key and value to write to the registry topic ({@code value == null}: a tombstone). */
  public record KeyValue(String key, byte[] value) {}

  /** One decoded registry record. */
  public sealed interface Entry {
    /** The key it was stored under. */
    RegistryKey key();
  }

  /** A model version with its tensors. */
  public record VersionEntry(RegistryKey key, ModelVersion version) implements Entry {}

  /**
   * The manifest of a chunked version: its metadata (no tensors, checksum not yet verifiable)
   * and where its chunks are; {@link Chunks#assemble} gives the version.
   */
  public record ManifestEntry(RegistryKey key, ModelVersion metadata, ChunkManifest manifest)
      implements Entry {}

  /** One chunk of a large version. */
  public record ChunkEntry(RegistryKey key, ModelChunkRecord chunk) implements Entry {}

  /** An alias move (where an alias points now). */
  public record AliasEntry(RegistryKey key, AliasMove move) implements Entry {}

  /** One recorded change of an alias. */
  public record ChangeEntry(RegistryKey key, AliasChange change) implements Entry {}

  /** A tombstone: the record under this key was deleted. */
  public record Deleted(RegistryKey key) implements Entry {}

  /** The value of a version record with its tensors inline, whatever its size. */
  public byte[] encode(ModelVersion v) {
    return versionSerde.serialize(null, Records.toRecord(v));
  }

  /**
   * The records of a version: one when its encoding fits {@code maxRecordBytes}, else its chunks
   * followed by its manifest (written in this order, a reader that sees the manifest has seen
   * the chunks).
   */
  public List<KeyValue> versionRecords(ModelVersion v, int maxRecordBytes) {
    byte[] full = encode(v);
    if (full.length <= maxRecordBytes) {
      return List.of(new KeyValue(v.key(), full));
    }
    return Chunks.split(this, v, full, maxRecordBytes);
  }

  /** The value of an alias record. */
  public byte[] encode(AliasMove move) {
    return aliasSerde.serialize(null, AliasRecord.newBuilder()
        .setName(move.model()).setAlias(move.alias()).setVersion(move.version())
        .setMovedAt(move.movedAt()).setMovedBy(move.movedBy()).setReason(move.reason())
        .setPreviousVersion(move.previousVersion() == 0 ? null : move.previousVersion()).build());
  }

  /** The value of an alias-change record. */
  public byte[] encode(AliasChange c) {
    return changeSerde.serialize(null, AliasHistoryRecord.newBuilder()
        .setName(c.model()).setAlias(c.alias()).setAction(AliasAction.valueOf(c.action().name()))
        .setVersion(c.version()).setPreviousVersion(c.previousVersion() == 0 ? null : c.previousVersion())
        .setChangedAt(c.changedAt()).setChangedBy(c.changedBy()).setReason(c.reason()).build());
  }

  /** The records of an alias move: its change (kept forever), then the alias itself. */
  public List<KeyValue> moveRecords(AliasMove move, AliasChange.Action action) {
    AliasChange change = AliasChange.of(move, action, true);
    return List.of(new KeyValue(change.key(), encode(change)), new KeyValue(move.key(), encode(move)));
  }

  /** The records of an alias deletion: its change, then the alias's tombstone. */
  public List<KeyValue> deletionRecords(AliasChange deletion) {
    if (deletion.action() != AliasChange.Action.DELETE) {
      throw new IllegalArgumentException("a deletion needs action DELETE, found " + deletion.action());
    }
    return List.of(new KeyValue(deletion.key(), encode(deletion)),
        new KeyValue(RegistryKey.alias(deletion.model(), deletion.alias()).toString(), null));
  }

  byte[] encodeChunk(ModelChunkRecord chunk) {
    return chunkSerde.serialize(null, chunk);
  }

  byte[] encodeRecord(ModelVersionRecord record) {
    return versionSerde.serialize(null, record);
  }

  ModelVersionRecord decodeRecord(String key, byte[] value) {
    return versionSerde.deserialize(key, value);
  }

  /**
   * Decodes one registry record.
   *
   * @throws InvalidModelException when the key or value is invalid, the format unknown or the
   *     checksum wrong
   */
  public Entry decode(String key, byte[] value) {
    RegistryKey k;
    try {
      k = RegistryKey.parse(key);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidModelException("bad registry key '" + key + "': " + e.getMessage(), e);
    }
    if (value == null) {
      return new Deleted(k);
    }
    try {
      switch (k.kind()) {
        case ALIAS:
          return decodeAlias(k, value);
        case CHANGE:
          return decodeChange(k, value);
        case CHUNK:
          return new ChunkEntry(k, Chunks.checkedChunk(k, chunkSerde.deserialize(key, value)));
        default:
          return decodeVersion(k, value);
      }
    } catch (SerializationException | IllegalArgumentException e) {
      throw new InvalidModelException("cannot decode registry record " + k + ": " + e.getMessage(), e);
    }
  }

  /**
   * The version stored under {@code versionKey}, inline or reassembled from its chunks, read
   * through {@code lookup} (a key-value store of the registry topic), verified.
   *
   * @throws InvalidModelException when it is absent, a chunk is missing, duplicated or corrupt,
   *     or the version fails its checks
   */
  public ModelVersion decodeVersion(String versionKey, Function<String, byte[]> lookup) {
    byte[] value = lookup.apply(versionKey);
    if (value == null) {
      throw new InvalidModelException(versionKey + " is not in the registry");
    }
    Entry entry = decode(versionKey, value);
    if (entry instanceof VersionEntry v) {
      return v.version();
    }
    if (entry instanceof ManifestEntry m) {
      return Chunks.assemble(this, m, lookup);
    }
    throw new InvalidModelException(versionKey + " is not a version key");
  }

  private Entry decodeVersion(RegistryKey k, byte[] value) {
    ModelVersionRecord r = versionSerde.deserialize(k.toString(), value);
    ModelVersion v = Records.fromRecord(r);
    if (!v.key().equals(k.toString())) {
      throw new InvalidModelException("version record " + v.key() + " stored under key " + k);
    }
    if (r.getChunks() != null) {
      ChunkManifestRecord m = r.getChunks();
      return new ManifestEntry(k, v, new ChunkManifest(m.getCount(), m.getTotalBytes(), m.getSha256()));
    }
    return new VersionEntry(k, v.verifyChecksum());
  }

  private Entry decodeAlias(RegistryKey k, byte[] value) {
    AliasRecord r = aliasSerde.deserialize(k.toString(), value);
    AliasMove move = new AliasMove(r.getName(), r.getAlias(), r.getVersion(), r.getMovedAt(),
        r.getMovedBy(), r.getReason(), r.getPreviousVersion() == null ? 0 : r.getPreviousVersion());
    if (!move.key().equals(k.toString())) {
      throw new InvalidModelException("alias record " + move.key() + " stored under key " + k);
    }
    return new AliasEntry(k, move);
  }

  private Entry decodeChange(RegistryKey k, byte[] value) {
    AliasHistoryRecord r = changeSerde.deserialize(k.toString(), value);
    AliasChange c = new AliasChange(r.getName(), r.getAlias(),
        AliasChange.Action.valueOf(r.getAction().name()), r.getVersion(),
        r.getPreviousVersion() == null ? 0 : r.getPreviousVersion(), r.getChangedAt(),
        r.getChangedBy(), r.getReason(), true);
    if (!c.key().equals(k.toString())) {
      throw new InvalidModelException("alias change " + c.key() + " stored under key " + k);
    }
    return new ChangeEntry(k, c);
  }

  /** The Avro record of a version. */
  public static ModelVersionRecord toRecord(ModelVersion v) {
    return Records.toRecord(v);
  }

  /** A version from its Avro record; refuses unknown format versions. Does not verify the checksum. */
  public static ModelVersion fromRecord(ModelVersionRecord r) {
    return Records.fromRecord(r);
  }

  private static List<Schema> earlierWriterSchemas() {
    List<Schema> schemas = new ArrayList<>();
    String dir = "/io/streamlearn/registry/writer-schemas/";
    try (InputStream index = RegistryCodec.class.getResourceAsStream(dir + "index.txt")) {
      if (index == null) {
        throw new IllegalStateException("resource " + dir + "index.txt is missing from the build");
      }
      BufferedReader lines = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String file = line.strip();
        if (file.isEmpty() || file.startsWith("#")) {
          continue;
        }
        try (InputStream in = RegistryCodec.class.getResourceAsStream(dir + file)) {
          if (in == null) {
            throw new IllegalStateException("writer schema " + dir + file + " is listed but missing");
          }
          schemas.add(new Schema.Parser().parse(in));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the writer schemas in " + dir + ": " + e.getMessage(), e);
    }
    return schemas;
  }
}
