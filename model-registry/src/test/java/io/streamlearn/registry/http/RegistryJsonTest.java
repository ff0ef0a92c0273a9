package io.streamlearn.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import io.streamlearn.registry.Lineage;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistryJsonTest {
  private final ObjectMapper json = new ObjectMapper();

  private static ModelVersion sample() {
    return ModelVersion.create("flights", 1, 0, Instant.ofEpochMilli(1_000), "dense(2,softmax)",
        new Signature(2, Signature.Task.CLASSIFICATION, 2, List.of("false", "true"), "SOFTMAX_CROSS_ENTROPY"),
        Preprocessing.identity(),
        List.of(new NamedTensor("layers.0.weight", new int[] {2, 2}, new float[] {1, 2, 3, 4}),
            new NamedTensor("layers.0.bias", new int[] {2}, new float[] {0, 0})),
        new Lineage(List.of(), 0, 0, Map.of(), 1, "test"), Map.of());
  }

  @Test
  void theVersionViewListsInputFieldsAndShowsThePipelineAsJson() throws Exception {
    ModelVersion v = sample().withFeaturePipeline("{\"fields\":[{\"name\":\"origin\"}]}",
        List.of(new Signature.InputField("distance", "numeric"), new Signature.InputField("origin", "category")));
    JsonNode view = json.readTree(json.writeValueAsString(RegistryJson.version(v, Optional.empty(), List.of())));
    assertEquals(List.of(Map.of("name", "distance", "type", "numeric"), Map.of("name", "origin", "type", "category")),
        json.convertValue(view.at("/signature/inputs"), List.class));
    assertEquals("origin", view.at("/featurePipeline/fields/0/name").asText());
  }

  @Test
  void anEventInputVersionShowsNoInputsAndANullPipeline() throws Exception {
    JsonNode view = json.readTree(json.writeValueAsString(
        RegistryJson.version(sample(), Optional.empty(), List.of())));
    assertEquals(0, view.at("/signature/inputs").size());
    assertNull(json.convertValue(view.get("featurePipeline"), Object.class));
  }
}
