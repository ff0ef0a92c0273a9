package io.streamlearn.registry;

import io.streamlearn.schema.AliasRecord;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.LineageRecord;
import io.streamlearn.schema.ModelVersionRecord;
import io.streamlearn.schema.OffsetRangeRecord;
import io.streamlearn.schema.PreprocessingRecord;
import io.streamlearn.schema.SignatureRecord;
import io.streamlearn.schema.Task;
import io.streamlearn.schema.TensorRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Encodes model versions and alias moves as the Avro records of the registry topic, and decodes
 * them back with every check a reader owes: known format version, decodable body, matching key,
 * valid fields and a verified checksum. Thread-safe.
 */
public final class RegistryCodec {
  /** The artifact format this release writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  private final AvroSerde<ModelVersionRecord> versionSerde = AvroSerde.of(ModelVersionRecord.class);
  private final AvroSerde<AliasRecord> aliasSerde = AvroSerde.of(AliasRecord.class);

  /** One decoded registry record. */
  public sealed interface Entry {
    /** The key it was stored under. */
    RegistryKey key();
  }

  /** A model version. */
  public record VersionEntry(RegistryKey key, ModelVersion version) implements Entry {}

  /** An alias move. */
  public record AliasEntry(RegistryKey key, AliasMove move) implements Entry {}

  /** A tombstone: the version or alias under this key was deleted. */
  public record Deleted(RegistryKey key) implements Entry {}

  /** The value of a version record. */
  public byte[] encode(ModelVersion v) {
    return versionSerde.serialize(null, toRecord(v));
  }

  /** The value of an alias record. */
  public byte[] encode(AliasMove move) {
    return aliasSerde.serialize(null, AliasRecord.newBuilder()
        .setName(move.model()).setAlias(move.alias()).setVersion(move.version())
        .setMovedAt(move.movedAt()).setMovedBy(move.movedBy()).setReason(move.reason())
        .setPreviousVersion(move.previousVersion() == 0 ? null : move.previousVersion()).build());
  }

  /**
   * Decodes one registry record.
   *
   * @throws InvalidModelException when the key or value is malformed, the value does not match its
   *     key, the format is unknown or the checksum does not verify
   */
  public Entry decode(String key, byte[] value) {
    RegistryKey k;
    try {
      k = RegistryKey.parse(key);
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException("bad registry key: " + e.getMessage(), e);
    }
    if (value == null) {
      return new Deleted(k);
    }
    try {
      if (k.isAlias()) {
        AliasRecord r = aliasSerde.deserialize(null, value);
        AliasMove move = new AliasMove(r.getName(), r.getAlias(), r.getVersion(), r.getMovedAt(),
            r.getMovedBy(), r.getReason(), r.getPreviousVersion() == null ? 0 : r.getPreviousVersion());
        if (!move.key().equals(k.toString())) {
          throw new InvalidModelException("alias record " + move.key() + " stored under key " + k);
        }
        return new AliasEntry(k, move);
      }
      ModelVersion v = fromRecord(versionSerde.deserialize(null, value));
      if (!v.key().equals(k.toString())) {
        throw new InvalidModelException("version record " + v.key() + " stored under key " + k);
      }
      return new VersionEntry(k, v.verifyChecksum());
    } catch (SerializationException | IllegalArgumentException e) {
      throw new InvalidModelException("cannot decode registry record " + k + ": " + e.getMessage(), e);
    }
  }

  /** The Avro record of a version. */
  public static ModelVersionRecord toRecord(ModelVersion v) {
    List<TensorRecord> tensors = new ArrayList<>(v.tensors().size());
    for (NamedTensor t : v.tensors()) {
      List<Integer> shape = new ArrayList<>();
      for (int d : t.shape()) {
        shape.add(d);
      }
      tensors.add(new TensorRecord(t.name(), shape, ByteBuffer.wrap(t.toLittleEndianBytes())));
    }
    List<OffsetRangeRecord> ranges = new ArrayList<>();
    for (OffsetRange r : v.lineage().ranges()) {
      ranges.add(new OffsetRangeRecord(r.topic(), r.partition(), r.fromOffset(), r.untilOffset()));
    }
    Signature s = v.signature();
    return ModelVersionRecord.newBuilder()
        .setFormatVersion(FORMAT_VERSION)
        .setName(v.name())
        .setVersion(v.version())
        .setParentVersion(v.parentVersion() == 0 ? null : v.parentVersion())
        .setCreatedAt(v.createdAt())
        .setArchitecture(v.architecture())
        .setSignature(new SignatureRecord(s.featureCount(), Task.valueOf(s.task().name()),
            s.outputCount(), s.classNames(), s.loss()))
        .setPreprocessing(new PreprocessingRecord(v.preprocessing().kind(),
            boxed(v.preprocessing().offset()), boxed(v.preprocessing().scale())))
        .setTensors(tensors)
        .setChecksum(v.checksum())
        .setLineage(new LineageRecord(ranges, v.lineage().examplesSeen(),
            v.lineage().examplesSinceParent(), new HashMap<>(v.lineage().hyperparameters()),
            v.lineage().seed(), v.lineage().codeVersion()))
        .setMetrics(new HashMap<>(v.metrics()))
        .build();
  }

  /** A version from its Avro record; refuses unknown format versions. Does not verify the checksum. */
  public static ModelVersion fromRecord(ModelVersionRecord r) {
    if (r.getFormatVersion() < 1 || r.getFormatVersion() > FORMAT_VERSION) {
      throw new InvalidModelException("model " + r.getName() + ":" + r.getVersion()
          + " has artifact format " + r.getFormatVersion() + "; this release reads formats 1 to "
          + FORMAT_VERSION);
    }
    List<NamedTensor> tensors = new ArrayList<>();
    for (TensorRecord t : r.getTensors()) {
      int[] shape = t.getShape().stream().mapToInt(Integer::intValue).toArray();
      tensors.add(NamedTensor.fromLittleEndianBytes(t.getName(), shape, t.getData()));
    }
    List<OffsetRange> ranges = new ArrayList<>();
    for (OffsetRangeRecord o : r.getLineage().getRanges()) {
      ranges.add(new OffsetRange(o.getTopic(), o.getPartition(), o.getFromOffset(), o.getUntilOffset()));
    }
    SignatureRecord s = r.getSignature();
    PreprocessingRecord p = r.getPreprocessing();
    LineageRecord l = r.getLineage();
    return new ModelVersion(r.getName(), r.getVersion(),
        r.getParentVersion() == null ? 0 : r.getParentVersion(), r.getCreatedAt(),
        r.getArchitecture(),
        new Signature(s.getFeatureCount(), Signature.Task.valueOf(s.getTask().name()),
            s.getOutputCount(), s.getClassNames(), s.getLoss()),
        new Preprocessing(p.getKind(), unboxed(p.getOffset()), unboxed(p.getScale())),
        tensors, r.getChecksum(),
        new Lineage(ranges, l.getExamplesSeen(), l.getExamplesSinceParent(),
            Map.copyOf(l.getHyperparameters()), l.getSeed(), l.getCodeVersion()),
        Map.copyOf(r.getMetrics()));
  }

  private static List<Float> boxed(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }

  private static float[] unboxed(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
