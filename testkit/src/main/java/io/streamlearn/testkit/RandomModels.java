package io.streamlearn.testkit;

import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.NamedTensor;
import io.streamlearn.tensor.Preprocessing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Model versions with seeded random weights that the engine accepts (dense layers named {@code
 * layers.<i>.weight/bias}, a standard scaler), for benchmarks and tests of the registry and of
 * serving, where what matters is the artifact, not what it learned.
 */
public final class RandomModels {
  private RandomModels() {}

  /**
   * A version of {@code layers} (dense and dropout layers) over {@code features} inputs;
   * classification unless the last layer is linear.
   */
  public static ModelVersion random(String name, long version, int features, String layers, long seed,
                                    Map<String, Double> metrics) {
    Random random = new Random(seed);
    String[] parts = layers.split(">");
    List<NamedTensor> tensors = new ArrayList<>();
    int in = features;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].strip();
      if (!p.startsWith("dense")) {
        continue;
      }
      int units = Integer.parseInt(p.substring(p.indexOf('(') + 1, p.indexOf(',')).strip());
      float[] w = new float[in * units];
      for (int k = 0; k < w.length; k++) {
        w[k] = (float) (random.nextGaussian() / Math.sqrt(in));
      }
      float[] b = new float[units];
      for (int k = 0; k < units; k++) {
        b[k] = (float) random.nextGaussian() * 0.1f;
      }
      tensors.add(new NamedTensor("layers." + i + ".weight", new int[] {in, units}, w));
      tensors.add(new NamedTensor("layers." + i + ".bias", new int[] {units}, b));
      in = units;
    }
    float[] offset = new float[features];
    float[] scale = new float[features];
    for (int k = 0; k < features; k++) {
      offset[k] = (float) random.nextGaussian() * 5;
      scale[k] = (float) (0.2 + random.nextDouble() * 2);
    }
    boolean classification = !layers.strip().endsWith("linear)");
    return ModelVersion.create(name, version, version - 1, Instant.ofEpochMilli(1_700_000_000_000L + version * 1000),
        layers, new Signature(features, classification ? Signature.Task.CLASSIFICATION : Signature.Task.REGRESSION,
            in, List.of(), classification ? "SOFTMAX_CROSS_ENTROPY" : "MSE"),
        new Preprocessing("standard", offset, scale), tensors,
        new Lineage(List.of(new OffsetRange("streamlearn.labeled", 0, (version - 1) * 1000, version * 1000)),
            version * 1000, 1000, Map.of("layers", layers, "optimizer", "adam"), seed, "random"),
        metrics);
  }
}
