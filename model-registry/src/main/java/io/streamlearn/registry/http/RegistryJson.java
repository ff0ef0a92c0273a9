package io.streamlearn.registry.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.registry.AliasChange;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.ChunkManifest;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.NamedTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The JSON shapes of the registry API (maps and lists Jackson writes as they are). */
public final class RegistryJson {
  private static final ObjectMapper PIPELINE_READER = new ObjectMapper();

  private RegistryJson() {}

  /** A version without its tensor data: identity, signature, metrics, lineage and tensor shapes. */
  public static Map<String, Object> version(ModelVersion v, Optional<ChunkManifest> chunks,
                                            List<String> aliases) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.name());
    m.put("version", v.version());
    m.put("parentVersion", v.parentVersion() == 0 ? null : v.parentVersion());
    m.put("createdAt", v.createdAt().toString());
    m.put("aliases", aliases);
    m.put("architecture", v.architecture());
    Map<String, Object> sig = new LinkedHashMap<>();
    sig.put("featureCount", v.signature().featureCount());
    sig.put("task", v.signature().task().name());
    sig.put("outputCount", v.signature().outputCount());
    sig.put("classNames", v.signature().classNames());
    sig.put("loss", v.signature().loss());
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (Signature.InputField f : v.signature().inputs()) {
      inputs.add(Map.of("name", f.name(), "type", f.type()));
    }
    sig.put("inputs", inputs);
    m.put("signature", sig);
    m.put("preprocessing", v.preprocessing().kind());
    m.put("metrics", new TreeMap<>(v.metrics()));
    m.put("lineage", lineage(v));
    List<Map<String, Object>> tensors = new ArrayList<>();
    for (NamedTensor t : v.tensors()) {
      tensors.add(Map.of("name", t.name(), "shape", t.shape(), "dtype", t.dtype().name()));
    }
    m.put("tensors", tensors);
    m.put("tensorBytes", v.tensorBytes());
    m.put("checksum", v.checksum());
    m.put("storedInChunks", chunks.map(ChunkManifest::count).orElse(0));
    m.put("annotations", new TreeMap<>(v.annotations()));
    m.put("featurePipeline", pipeline(v));
    return m;
  }

  /**
   * The frozen feature pipeline as a JSON value (null when the version has none), so a client
   * reads its vocabularies and statistics as JSON rather than as a string holding JSON. Text
   * that is not JSON is shown as it is.
   */
  private static Object pipeline(ModelVersion v) {
    if (!v.hasFeaturePipeline()) {
      return null;
    }
    try {
      return PIPELINE_READER.readTree(v.featurePipeline());
    } catch (JsonProcessingException e) {
      return v.featurePipeline();
    }
  }

  private static Map<String, Object> lineage(ModelVersion v) {
    Map<String, Object> l = new LinkedHashMap<>();
    List<Map<String, Object>> ranges = new ArrayList<>();
    for (OffsetRange r : v.lineage().ranges()) {
      ranges.add(Map.of("topic", r.topic(), "partition", r.partition(), "fromOffset", r.fromOffset(),
          "untilOffset", r.untilOffset(), "sampleRate", r.sampleRate(), "skipped", r.skipped()));
    }
    l.put("ranges", ranges);
    l.put("examplesSeen", v.lineage().examplesSeen());
    l.put("examplesSinceParent", v.lineage().examplesSinceParent());
    l.put("hyperparameters", new TreeMap<>(v.lineage().hyperparameters()));
    l.put("seed", v.lineage().seed());
    l.put("codeVersion", v.lineage().codeVersion());
    return l;
  }

  /** Where an alias points, who moved it, when and why. */
  public static Map<String, Object> alias(AliasMove a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alias", a.alias());
    m.put("version", a.version());
    m.put("previousVersion", a.previousVersion() == 0 ? null : a.previousVersion());
    m.put("movedAt", a.movedAt().toString());
    m.put("movedBy", a.movedBy());
    m.put("reason", a.reason());
    return m;
  }

  /** One change of an alias. */
  public static Map<String, Object> change(AliasChange c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alias", c.alias());
    m.put("action", c.action().name());
    m.put("version", c.version());
    m.put("previousVersion", c.previousVersion() == 0 ? null : c.previousVersion());
    m.put("changedAt", c.changedAt().toString());
    m.put("changedBy", c.changedBy());
    m.put("reason", c.reason());
    m.put("recorded", c.recorded());
    return m;
  }
}
