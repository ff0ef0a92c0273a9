package io.streamlearn.app;

import io.streamlearn.learn.Activation;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.Preprocessor;
import io.streamlearn.learn.Tensor;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.NamedTensor;
import io.streamlearn.registry.Preprocessing;
import io.streamlearn.registry.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Converts between the learning engine's models and the registry's model versions. */
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

  /** Engine tensors as registry tensors. */
  public static List<NamedTensor> toRegistry(List<Tensor> tensors) {
    List<NamedTensor> out = new ArrayList<>(tensors.size());
    for (Tensor t : tensors) {
      out.add(new NamedTensor(t.name(), t.shape(), t.data()));
    }
    return out;
  }

  /** Registry tensors as engine tensors. */
  public static List<Tensor> toEngine(List<NamedTensor> tensors) {
    List<Tensor> out = new ArrayList<>(tensors.size());
    for (NamedTensor t : tensors) {
      out.add(new Tensor(t.name(), t.shape(), t.data()));
    }
    return out;
  }

  /** The registry form of a frozen scaler. */
  public static Preprocessing toRegistry(Preprocessor p, String kind) {
    return p.isIdentity() ? Preprocessing.identity()
        : new Preprocessing(kind, p.offset(), p.scale());
  }

  /** The engine form of a frozen scaler, for {@code features} inputs. */
  public static Preprocessor toEngine(Preprocessing p, int features) {
    if (p.isIdentity()) {
      return Preprocessor.identity(features);
    }
    if (p.offset().length != features) {
      throw new InvalidModelException("preprocessing has " + p.offset().length
          + " features, the signature " + features);
    }
    return new Preprocessor(p.offset(), p.scale());
  }

  /**
   * The inference model of a version: its architecture parsed against its signature, its tensors
   * checked by the engine.
   *
   * @throws InvalidModelException when the architecture, signature and tensors do not agree
   */
  public static Model toModel(ModelVersion v) {
    try {
      NetworkSpec spec = NetworkSpec.parse(v.signature().featureCount(), v.architecture());
      if (spec.outputs() != v.signature().outputCount()) {
        throw new InvalidModelException(v.key() + ": architecture has " + spec.outputs()
            + " outputs, the signature " + v.signature().outputCount());
      }
      return Model.of(spec, toEngine(v.tensors()),
          toEngine(v.preprocessing(), v.signature().featureCount()));
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(v.key() + ": " + e.getMessage(), e);
    }
  }
}
