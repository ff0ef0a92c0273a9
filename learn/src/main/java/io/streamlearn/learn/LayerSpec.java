package io.streamlearn.learn;

/** One layer of a {@link NetworkSpec}: a dense layer, a dropout layer or an embedding over sparse inputs. */
public sealed interface LayerSpec {

  /** The compact text of this layer, e.g. {@code dense(128,relu)} or {@code dropout(0.2)}. */
  String text();

  /**
   * A fully connected layer {@code y = activation(x W + b)}.
   *
   * @param units      number of outputs, at least 1
   * @param activation activation applied to the outputs
   * @param init       how the layer's parameters are drawn from the seed; {@link WeightInit#AUTO}
   *                   (the default) is He-uniform for relu layers and Glorot-uniform otherwise
   */
  record Dense(int units, Activation activation, WeightInit init) implements LayerSpec {
    /** Validates the fields. */
    public Dense {
      if (units < 1) {
        throw new IllegalArgumentException("units must be >= 1, got " + units);
      }
      if (activation == null) {
        throw new IllegalArgumentException("activation must not be null");
      }
      if (init == null) {
        throw new IllegalArgumentException("init must not be null (WeightInit.AUTO is the default)");
      }
    }

    /** A dense layer with the default initialisation, {@link WeightInit#AUTO}. */
    public Dense(int units, Activation activation) {
      this(units, activation, WeightInit.AUTO);
    }

    /** This layer with another initialisation. */
    public Dense withInit(WeightInit other) {
      return new Dense(units, activation, other);
    }

    /**
     * {@code dense(units,activation)}, with {@code ,init=name} appended only when it is not the
     * default: model versions store this text, and the text of a network that does not choose an
     * init must stay what it was before the choice existed.
     */
    @Override
    public String text() {
      String base = "dense(" + units + "," + activation.token();
      return init == WeightInit.AUTO ? base + ")" : base + ",init=" + init.token() + ")";
    }
  }

  /**
   * Inverted dropout: during training each input is zeroed with probability {@code rate} and the
   * survivors are scaled by {@code 1/(1-rate)}; at inference it is the identity.
   *
   * @param rate drop probability in {@code [0, 1)}
   */
  record Dropout(double rate) implements LayerSpec {
    /** Validates the fields. */
    public Dropout {
      if (!(rate >= 0.0 && rate < 1.0)) {
        throw new IllegalArgumentException("rate must be in [0, 1), got " + rate);
      }
    }

    @Override
    public String text() {
      return "dropout(" + rate + ")";
    }
  }

  /**
   * An embedding over the sparse fields of a network's {@link io.streamlearn.tensor.FeatureLayout},
   * only as the first layer: every sparse field gets a {@code dim}-wide vector, the sum of
   * {@code value * row} of one table over the field's entries (a lookup for a one-hot field, a
   * weighted bag for tokens). Its output is the dense columns as they are, then each field's vector
   * in field order: {@code denseWidth + fields * dim} wide. The table is one tensor
   * {@code layers.0.weight} {@code [sparseWidth, dim]} (field f's rows start at
   * {@code sparseOffset(f)}), drawn uniform in {@code [-0.05, 0.05)} as Keras' {@code Embedding} is,
   * and trained sparsely: a step reads and updates only the rows the batch touches.
   *
   * @param dim width of each field's vector, at least 1
   */
  record Embedding(int dim) implements LayerSpec {
    /** Validates the fields. */
    public Embedding {
      if (dim < 1) {
        throw new IllegalArgumentException("embedding dim must be >= 1, got " + dim);
      }
    }

    @Override
    public String text() {
      return "embedding(" + dim + ")";
    }
  }
}
