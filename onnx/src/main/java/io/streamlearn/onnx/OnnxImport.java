package io.streamlearn.onnx;

import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A network read from an ONNX file by {@link OnnxImporter}: everything a model version needs but
 * its name, number and time.
 *
 * @param architecture the network in the layer language, e.g. {@code dense(64,relu) > dense(10,softmax)}
 * @param signature inputs and outputs (from a streamlearn export's metadata, else inferred from the
 *     output activation: softmax or sigmoid is a classification, anything else a regression)
 * @param preprocessing a scaler given as {@code Sub} and {@code Mul} on the input, else identity
 * @param tensors the weights under the engine's names ({@code layers.<i>.weight}, ...)
 * @param metadata the file's metadata_props and its producer
 */
public record OnnxImport(String architecture, Signature signature, Preprocessing preprocessing,
                         List<NamedTensor> tensors, Map<String, String> metadata) {
  /** Validates and copies. */
  public OnnxImport {
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(preprocessing, "preprocessing");
    tensors = List.copyOf(tensors);
    metadata = Map.copyOf(metadata);
  }

  /**
   * The model version to publish: no parent, no optimizer state, a lineage that names where it
   * came from (hyperparameter {@code importedFrom}) and has seen no examples of this registry.
   *
   * @param source where the file came from, e.g. its path
   */
  public ModelVersion toVersion(String name, long version, Instant createdAt, String codeVersion, String source) {
    Map<String, String> origin = new LinkedHashMap<>();
    origin.put("importedFrom", source);
    origin.put("producer", metadata.getOrDefault(OnnxImporter.PRODUCER, ""));
    if (metadata.containsKey("name") && metadata.containsKey("version")) {
      origin.put("exportedFrom", metadata.get("name") + ":" + metadata.get("version"));
    }
    Lineage lineage = new Lineage(List.of(), 0, 0, origin, 0, codeVersion);
    return ModelVersion.create(name, version, 0, createdAt, architecture, signature, preprocessing, tensors, lineage,
        Map.of());
  }
}
