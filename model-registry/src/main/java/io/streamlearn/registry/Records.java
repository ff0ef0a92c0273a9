package io.streamlearn.registry;

import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.InputFieldRecord;
import io.streamlearn.schema.LineageRecord;
import io.streamlearn.schema.ModelVersionRecord;
import io.streamlearn.schema.OffsetRangeRecord;
import io.streamlearn.schema.PreprocessingRecord;
import io.streamlearn.schema.SignatureRecord;
import io.streamlearn.schema.Task;
import io.streamlearn.schema.TensorDType;
import io.streamlearn.schema.TensorRecord;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Conversions between {@link ModelVersion} and its Avro record. */
final class Records {
  private Records() {}

  /** The Avro record of a version, tensors inline, stamped with its minimum format. */
  static ModelVersionRecord toRecord(ModelVersion v) {
    List<TensorRecord> tensors = new ArrayList<>(v.tensors().size());
    for (NamedTensor t : v.tensors()) {
      List<Integer> shape = new ArrayList<>();
      for (int d : t.shape()) {
        shape.add(d);
      }
      tensors.add(new TensorRecord(t.name(), shape, ByteBuffer.wrap(t.storedBytes()),
          TensorDType.valueOf(t.dtype().name())));
    }
    List<OffsetRangeRecord> ranges = new ArrayList<>();
    for (OffsetRange r : v.lineage().ranges()) {
      ranges.add(new OffsetRangeRecord(r.topic(), r.partition(), r.fromOffset(), r.untilOffset(), r.sampleRate(),
          r.skipped()));
    }
    Signature s = v.signature();
    return ModelVersionRecord.newBuilder()
        .setFormatVersion(v.minimumFormat())
        .setName(v.name())
        .setVersion(v.version())
        .setParentVersion(v.parentVersion() == 0 ? null : v.parentVersion())
        .setCreatedAt(v.createdAt())
        .setArchitecture(v.architecture())
        .setSignature(new SignatureRecord(s.featureCount(), Task.valueOf(s.task().name()),
            s.outputCount(), s.classNames(), s.loss(), inputRecords(s.inputs())))
        .setPreprocessing(new PreprocessingRecord(v.preprocessing().kind(),
            FloatLists.boxed(v.preprocessing().offset()), FloatLists.boxed(v.preprocessing().scale())))
        .setTensors(tensors)
        .setChecksum(v.checksum())
        .setLineage(new LineageRecord(ranges, v.lineage().examplesSeen(),
            v.lineage().examplesSinceParent(), new HashMap<>(v.lineage().hyperparameters()),
            v.lineage().seed(), v.lineage().codeVersion()))
        .setMetrics(new HashMap<>(v.metrics()))
        .setAnnotations(new HashMap<>(v.annotations()))
        .setChunks(null)
        .setFeaturePipeline(v.featurePipeline())
        .build();
  }

  private static List<InputFieldRecord> inputRecords(List<Signature.InputField> inputs) {
    List<InputFieldRecord> out = new ArrayList<>(inputs.size());
    for (Signature.InputField f : inputs) {
      out.add(new InputFieldRecord(f.name(), f.type()));
    }
    return out;
  }

  /** A version from its Avro record; refuses unknown format versions. Does not verify the checksum. */
  static ModelVersion fromRecord(ModelVersionRecord r) {
    if (r.getFormatVersion() < 1 || r.getFormatVersion() > RegistryCodec.FORMAT_VERSION) {
      throw new InvalidModelException("model " + r.getName() + ":" + r.getVersion()
          + " has artifact format " + r.getFormatVersion() + "; this release reads formats 1 to "
          + RegistryCodec.FORMAT_VERSION);
    }
    List<NamedTensor> tensors = new ArrayList<>();
    for (TensorRecord t : r.getTensors()) {
      int[] shape = t.getShape().stream().mapToInt(Integer::intValue).toArray();
      NamedTensor.DType dtype = NamedTensor.DType.valueOf(t.getDtype().name());
      if (dtype != NamedTensor.DType.FLOAT32 && r.getFormatVersion() < 2) {
        throw new InvalidModelException("model " + r.getName() + ":" + r.getVersion() + " tensor "
            + t.getName() + " is " + dtype + " in an artifact of format " + r.getFormatVersion()
            + ", which only has FLOAT32");
      }
      tensors.add(NamedTensor.fromStoredBytes(t.getName(), shape, dtype, t.getData()));
    }
    if (!r.getFeaturePipeline().isEmpty() && r.getFormatVersion() < 3) {
      throw new InvalidModelException("model " + r.getName() + ":" + r.getVersion()
          + " has a feature pipeline in an artifact of format " + r.getFormatVersion()
          + ", which has none");
    }
    List<OffsetRange> ranges = new ArrayList<>();
    for (OffsetRangeRecord o : r.getLineage().getRanges()) {
      ranges.add(new OffsetRange(o.getTopic(), o.getPartition(), o.getFromOffset(), o.getUntilOffset(),
          o.getSampleRate(), o.getSkipped()));
    }
    SignatureRecord s = r.getSignature();
    List<Signature.InputField> inputs = new ArrayList<>(s.getInputs().size());
    for (InputFieldRecord f : s.getInputs()) {
      inputs.add(new Signature.InputField(f.getName(), f.getType()));
    }
    PreprocessingRecord p = r.getPreprocessing();
    LineageRecord l = r.getLineage();
    return new ModelVersion(r.getName(), r.getVersion(),
        r.getParentVersion() == null ? 0 : r.getParentVersion(), r.getCreatedAt(),
        r.getArchitecture(),
        new Signature(s.getFeatureCount(), Signature.Task.valueOf(s.getTask().name()),
            s.getOutputCount(), s.getClassNames(), s.getLoss(), inputs),
        new Preprocessing(p.getKind(), FloatLists.unboxed(p.getOffset()), FloatLists.unboxed(p.getScale())),
        tensors, r.getChecksum(),
        new Lineage(ranges, l.getExamplesSeen(), l.getExamplesSinceParent(),
            Map.copyOf(l.getHyperparameters()), l.getSeed(), l.getCodeVersion()),
        Map.copyOf(r.getMetrics()), Map.copyOf(r.getAnnotations()), r.getFeaturePipeline());
  }
}
