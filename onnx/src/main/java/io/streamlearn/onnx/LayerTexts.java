package io.streamlearn.onnx;

import io.streamlearn.learn.LayerSpec;
import io.streamlearn.learn.NetworkSpec;
import java.util.List;

/** Small helpers over the engine's {@link LayerSpec}s that export and import share. */
final class LayerTexts {
  private LayerTexts() {}

  /** The layers of a version's architecture, checked for syntax (shapes are checked where the input count is known). */
  static List<LayerSpec> layers(String architecture) {
    return NetworkSpec.parseLayers(architecture);
  }

  /** The layer-language text of {@code layers}, {@code >}-separated as {@link NetworkSpec#text()} writes it. */
  static String text(List<LayerSpec> layers) {
    return String.join(" > ", layers.stream().map(LayerSpec::text).toList());
  }

  /** The window of a max or average pool, 0 for any other layer. */
  static int poolSize(LayerSpec layer) {
    if (layer instanceof LayerSpec.MaxPool p) {
      return p.size();
    }
    return layer instanceof LayerSpec.AvgPool p ? p.size() : 0;
  }
}
