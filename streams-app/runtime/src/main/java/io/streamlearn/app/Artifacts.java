package io.streamlearn.app;

import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.learn.Activation;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.Signature;
import java.util.List;
import java.util.Locale;

/**
 * Where the learning engine and the registry meet: the signature a network and loss give a
 * version, and the model a version gives inference. Tensors and preprocessing need no conversion:
 * both sides use the {@code io.streamlearn.tensor} types, so a learner's parameters go into a
 * version as they are.
 */
public final class Artifacts {
  private Artifacts() {}

  /** The signature of a network trained with a loss. */
  public static Signature signature(NetworkSpec spec, Loss loss) {
    boolean classification = loss == Loss.SOFTMAX_CROSS_ENTROPY
        || (loss == Loss.BINARY_CROSS_ENTROPY && spec.outputActivation() == Activation.SIGMOID);
    return new Signature(spec.inputs(),
        classification ? Signature.Task.CLASSIFICATION : Signature.Task.REGRESSION,
        spec.outputs(), List.of(), loss.name());
  }

  /** The engine's loss from its configuration name ({@code softmax_cross_entropy}, ...). */
  public static Loss loss(String name) {
    return Loss.valueOf(name.toUpperCase(Locale.ROOT));
  }

  /**
   * The frozen feature pipeline a version reads raw records through, or null for a version over
   * streamlearn's own events.
   *
   * @throws InvalidModelException when the pipeline's JSON does not parse, or its layout is not the
   *     signature's feature count
   */
  public static FrozenPipeline pipeline(ModelVersion v) {
    if (!v.hasFeaturePipeline()) {
      return null;
    }
    FrozenPipeline p;
    try {
      p = FrozenPipeline.parse(v.featurePipeline());
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(v.key() + ": feature pipeline does not parse: " + e.getMessage(), e);
    }
    if (p.layout().totalWidth() != v.signature().featureCount()) {
      throw new InvalidModelException(v.key() + ": feature pipeline writes rows " + p.layout().totalWidth()
          + " wide, the signature takes " + v.signature().featureCount() + " features");
    }
    return p;
  }

  /**
   * A version's named inputs from its pipeline: each field's path and its transform as the spec
   * writes it ({@code category(500)}), an optional field's type ending in {@code ?optional}.
   */
  public static List<Signature.InputField> inputs(FrozenPipeline pipeline) {
    List<Signature.InputField> inputs = new java.util.ArrayList<>();
    for (io.streamlearn.features.InputField f : pipeline.inputFields()) {
      inputs.add(new Signature.InputField(f.name(), f.optional() ? f.type() + "?optional" : f.type()));
    }
    return inputs;
  }

  /**
   * The inference model of a version: its architecture parsed against its signature, its tensors
   * and preprocessing checked by the engine.
   *
   * @throws InvalidModelException when the architecture, signature, preprocessing and tensors do
   *     not agree
   */
  public static Model toModel(ModelVersion v) {
    try {
      NetworkSpec spec = NetworkSpec.parse(v.signature().featureCount(), v.architecture());
      if (spec.outputs() != v.signature().outputCount()) {
        throw new InvalidModelException(v.key() + ": architecture has " + spec.outputs()
            + " outputs, the signature " + v.signature().outputCount());
      }
      if (v.hasFeaturePipeline()) {
        return Model.of(spec, v.tensors(), v.preprocessing(), pipeline(v).layout());
      }
      return Model.of(spec, v.tensors(), v.preprocessing());
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(v.key() + ": " + e.getMessage(), e);
    }
  }
}
