package io.streamlearn.registry;

import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One immutable, self-contained model version: identity, architecture, signature, frozen
 * preprocessing, weights with their checksum, lineage and metrics. Inference never changes a
 * version; optimizer state is not part of it.
 *
 * @param name the model name (no {@code ':'} or {@code '@'}, which delimit registry keys)
 * @param version strictly increasing per name, from 1
 * @param parentVersion the version this one was trained from, 0 for none
 * @param createdAt creation time
 * @param architecture the network in the layer language, e.g. {@code dense(10,softmax)}
 * @param signature inputs and outputs
 * @param preprocessing frozen feature scaling
 * @param tensors the weights, names unique
 * @param checksum SHA-256 (hex) of the tensors, see {@link #checksumOf(List)}
 * @param lineage training provenance
 * @param metrics metrics at publication (prequential and hold-out accuracy and loss, e.g.
 *     {@code prequentialAccuracy}, {@code holdoutAccuracy})
 * @param annotations facts about the artifact itself, e.g. {@code exportedFrom} and {@code
 *     optimizations} of an inference export (see {@link InferenceExport})
 * @param featurePipeline the frozen feature pipeline as JSON text (module {@code features}
 *     writes and reads it; the registry carries it as opaque text), applied to the user's raw
 *     records before the network; {@code ""} for a model over {@code LabeledEvent}/{@code
 *     FeatureEvent} features. Not covered by {@link #checksum}, which stays over the tensors as
 *     format 1 defined it; a chunked version's manifest hash covers it.
 */
public record ModelVersion(String name, long version, long parentVersion, Instant createdAt,
                           String architecture, Signature signature, Preprocessing preprocessing,
                           List<NamedTensor> tensors, String checksum, Lineage lineage,
                           Map<String, Double> metrics, Map<String, String> annotations,
                           String featurePipeline) {

  /** Without a feature pipeline (a model over event features). */
  public ModelVersion(String name, long version, long parentVersion, Instant createdAt,
                      String architecture, Signature signature, Preprocessing preprocessing,
                      List<NamedTensor> tensors, String checksum, Lineage lineage,
                      Map<String, Double> metrics, Map<String, String> annotations) {
    this(name, version, parentVersion, createdAt, architecture, signature, preprocessing, tensors,
        checksum, lineage, metrics, annotations, "");
  }

  /** Without annotations and feature pipeline. */
  public ModelVersion(String name, long version, long parentVersion, Instant createdAt,
                      String architecture, Signature signature, Preprocessing preprocessing,
                      List<NamedTensor> tensors, String checksum, Lineage lineage,
                      Map<String, Double> metrics) {
    this(name, version, parentVersion, createdAt, architecture, signature, preprocessing, tensors,
        checksum, lineage, metrics, Map.of());
  }

  /** Validates and copies; does not verify the checksum (see {@link #verifyChecksum()}). */
  public ModelVersion {
    RegistryKey.checkModelName(name);
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, found " + version);
    }
    if (parentVersion < 0 || parentVersion >= version) {
      throw new IllegalArgumentException("parentVersion must be in [0, version), found "
          + parentVersion + " for version " + version);
    }
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(preprocessing, "preprocessing");
    tensors = List.copyOf(tensors);
    Set<String> names = new HashSet<>();
    for (NamedTensor t : tensors) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("duplicate tensor name " + t.name());
      }
    }
    Objects.requireNonNull(checksum, "checksum");
    Objects.requireNonNull(lineage, "lineage");
    metrics = Map.copyOf(metrics);
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(featurePipeline, "featurePipeline (\"\" for none)");
  }

  /** A new version whose checksum is computed from its tensors. */
  public static ModelVersion create(String name, long version, long parentVersion,
                                    Instant createdAt, String architecture, Signature signature,
                                    Preprocessing preprocessing, List<NamedTensor> tensors,
                                    Lineage lineage, Map<String, Double> metrics) {
    return new ModelVersion(name, version, parentVersion, createdAt, architecture, signature,
        preprocessing, tensors, checksumOf(tensors), lineage, metrics, Map.of());
  }

  /** A copy with other tensors (checksum recomputed), preprocessing and annotations. */
  public ModelVersion withContent(List<NamedTensor> newTensors, Preprocessing newPreprocessing,
                                  Map<String, String> newAnnotations) {
    return new ModelVersion(name, version, parentVersion, createdAt, architecture, signature,
        newPreprocessing, newTensors, checksumOf(newTensors), lineage, metrics, newAnnotations,
        featurePipeline);
  }

  /**
   * A copy with this frozen feature pipeline (JSON text) and these named inputs in its signature:
   * what a trainer over the user's own records publishes.
   */
  public ModelVersion withFeaturePipeline(String pipelineJson, List<Signature.InputField> inputs) {
    return new ModelVersion(name, version, parentVersion, createdAt, architecture,
        signature.withInputs(inputs), preprocessing, tensors, checksum, lineage, metrics, annotations,
        pipelineJson);
  }

  /** Whether this version reads the user's own records through a feature pipeline. */
  public boolean hasFeaturePipeline() {
    return !featurePipeline.isEmpty();
  }

  /**
   * The lowest artifact format that describes this version: 3 when it carries a feature pipeline
   * or named inputs (a reader that ignored them would feed raw records to the wrong features), 2
   * when a tensor is stored as float16, else 1.
   */
  public int minimumFormat() {
    if (hasFeaturePipeline() || !signature.inputs().isEmpty()) {
      return 3;
    }
    return tensors.stream().anyMatch(t -> t.dtype() != NamedTensor.DType.FLOAT32) ? 2 : 1;
  }

  /** Bytes of the stored tensor data. */
  public long tensorBytes() {
    return tensors.stream().mapToLong(t -> (long) t.size() * t.dtype().bytes()).sum();
  }

  /** The parent version, if any. */
  public OptionalLong parent() {
    return parentVersion == 0 ? OptionalLong.empty() : OptionalLong.of(parentVersion);
  }

  /** The registry key of this version, {@code name:version}. */
  public String key() {
    return RegistryKey.version(name, version).toString();
  }

  /** The tensor of that name. */
  public NamedTensor tensor(String tensorName) {
    return tensors.stream().filter(t -> t.name().equals(tensorName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "model " + key() + " has no tensor " + tensorName));
  }

  /**
   * Throws {@link InvalidModelException} when the checksum does not match the tensors or a
   * weight is not finite.
   */
  public ModelVersion verifyChecksum() {
    String actual = checksumOf(tensors);
    if (!actual.equals(checksum)) {
      throw new InvalidModelException(key() + ": checksum mismatch, recorded " + checksum
          + ", computed " + actual);
    }
    for (NamedTensor t : tensors) {
      if (!t.allFinite()) {
        throw new InvalidModelException(key() + ": tensor " + t.name() + " has NaN or infinite values");
      }
    }
    return this;
  }

  /**
   * SHA-256 over each tensor's name, shape and stored little-endian data, in order; hex. A
   * float16 tensor adds the marker bytes {@code FF 10} before its data, so the same values stored
   * as float32 and float16 never share a checksum.
   */
  public static String checksumOf(List<NamedTensor> tensors) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
    for (NamedTensor t : tensors) {
      sha.update(t.name().getBytes(StandardCharsets.UTF_8));
      int[] shape = t.shape();
      ByteBuffer dims = ByteBuffer.allocate(4 + 4 * shape.length).order(ByteOrder.LITTLE_ENDIAN);
      dims.putInt(shape.length);
      for (int d : shape) {
        dims.putInt(d);
      }
      sha.update(dims.array());
      if (t.dtype() == NamedTensor.DType.FLOAT16) {
        sha.update(new byte[] {(byte) 0xFF, 0x10});
      }
      sha.update(t.storedBytes());
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
