package io.streamlearn.learn;

/**
 * One layer of a {@link NetworkSpec}: dense, dropout, an input shape, a 2-D convolution, pooling,
 * flatten or batch normalisation. Images travel channels-last (HWC) between layers; flattening
 * writes them channels-first (CHW), as ONNX's Flatten over NCHW and {@code torch.flatten} do.
 */
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
   * The shape of a flat input event: {@code height * width * channels} floats read channels-last,
   * index {@code (y * width + x) * channels + c}. Optional, and only as the first layer.
   */
  record Input(int height, int width, int channels) implements LayerSpec {
    /** Validates the fields. */
    public Input {
      if (height < 1 || width < 1 || channels < 1) {
        throw new IllegalArgumentException("input height, width and channels must be >= 1, got "
            + height + "x" + width + "x" + channels);
      }
    }

    @Override
    public String text() {
      return "input(" + height + "," + width + "," + channels + ")";
    }
  }

  /**
   * A 2-D convolution over a channels-last image, {@code filters} kernels of {@code kernel x kernel}
   * over all input channels, then a bias per filter and the activation. Its weight tensor is
   * {@code [filters, inChannels, kernel, kernel]} (OIHW, as ONNX and PyTorch store it).
   *
   * @param filters    output channels, at least 1
   * @param kernel     side of the square kernel, at least 1
   * @param stride     step between windows, at least 1
   * @param padding    {@link Padding#VALID} or {@link Padding#SAME}
   * @param activation elementwise activation (not softmax)
   * @param init       as for {@link Dense}, with fan-in {@code inChannels * kernel^2} and fan-out
   *                   {@code filters * kernel^2}
   */
  record Conv2d(int filters, int kernel, int stride, Padding padding, Activation activation, WeightInit init)
      implements LayerSpec {
    /** Validates the fields. */
    public Conv2d {
      if (filters < 1) {
        throw new IllegalArgumentException("filters must be >= 1, got " + filters);
      }
      if (kernel < 1) {
        throw new IllegalArgumentException("kernel must be >= 1, got " + kernel);
      }
      if (stride < 1) {
        throw new IllegalArgumentException("stride must be >= 1, got " + stride);
      }
      if (padding == null) {
        throw new IllegalArgumentException("padding must not be null");
      }
      if (activation == null) {
        throw new IllegalArgumentException("activation must not be null");
      }
      if (activation == Activation.SOFTMAX) {
        throw new IllegalArgumentException("activation of a conv2d must be elementwise, got softmax");
      }
      if (init == null) {
        throw new IllegalArgumentException("init must not be null (WeightInit.AUTO is the default)");
      }
    }

    /** Stride 1, valid padding, the default initialisation. */
    public Conv2d(int filters, int kernel, Activation activation) {
      this(filters, kernel, 1, Padding.VALID, activation, WeightInit.AUTO);
    }

    /** This layer with another initialisation. */
    public Conv2d withInit(WeightInit other) {
      return new Conv2d(filters, kernel, stride, padding, activation, other);
    }

    /** {@code conv2d(filters,kernel[,stride=s][,padding=same],activation[,init=name])}, defaults left out. */
    @Override
    public String text() {
      StringBuilder sb = new StringBuilder("conv2d(").append(filters).append(',').append(kernel);
      if (stride != 1) {
        sb.append(",stride=").append(stride);
      }
      if (padding != Padding.VALID) {
        sb.append(",padding=").append(padding.token());
      }
      sb.append(',').append(activation.token());
      if (init != WeightInit.AUTO) {
        sb.append(",init=").append(init.token());
      }
      return sb.append(')').toString();
    }
  }

  /**
   * Max pooling over {@code size x size} windows at stride {@code size}, per channel; a partial window
   * at the right or bottom edge is dropped.
   *
   * @param size window side, at least 1
   */
  record MaxPool(int size) implements LayerSpec {
    /** Validates the fields. */
    public MaxPool {
      if (size < 1) {
        throw new IllegalArgumentException("pool size must be >= 1, got " + size);
      }
    }

    @Override
    public String text() {
      return "maxpool(" + size + ")";
    }
  }

  /**
   * Average pooling over {@code size x size} windows at stride {@code size}, per channel; a partial
   * window at the right or bottom edge is dropped.
   *
   * @param size window side, at least 1
   */
  record AvgPool(int size) implements LayerSpec {
    /** Validates the fields. */
    public AvgPool {
      if (size < 1) {
        throw new IllegalArgumentException("pool size must be >= 1, got " + size);
      }
    }

    @Override
    public String text() {
      return "avgpool(" + size + ")";
    }
  }

  /**
   * Flattens an image to a vector in channels-first order ({@code (c * height + y) * width + x}),
   * so that a PyTorch or ONNX model's dense weights after a flatten fit unchanged. A dense layer
   * after an image flattens it implicitly; on a vector this layer is the identity.
   */
  record Flatten() implements LayerSpec {
    @Override
    public String text() {
      return "flatten";
    }
  }

  /**
   * Batch normalisation with PyTorch's semantics: per feature of a vector, or per channel of an
   * image; in training each batch is normalised by its own mean and (biased) variance and the
   * running statistics move by {@code running = (1 - momentum) * running + momentum * batch} (with
   * the unbiased variance); in inference the running statistics are used. Its tensors are
   * {@code gamma}, {@code beta} (trained) and {@code runningMean}, {@code runningVar} (not trained,
   * frozen into each model version).
   *
   * @param momentum weight of each batch in the running statistics, in {@code [0, 1]}
   * @param epsilon  added to the variance, {@code > 0}
   */
  record BatchNorm(double momentum, double epsilon) implements LayerSpec {
    /** PyTorch's defaults. */
    public static final double DEFAULT_MOMENTUM = 0.1;
    /** PyTorch's defaults. */
    public static final double DEFAULT_EPSILON = 1e-5;

    /** Validates the fields. */
    public BatchNorm {
      if (!(momentum >= 0.0 && momentum <= 1.0)) {
        throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
      }
      if (!(epsilon > 0.0) || Double.isInfinite(epsilon)) {
        throw new IllegalArgumentException("epsilon must be a finite number > 0, got " + epsilon);
      }
    }

    /** PyTorch's defaults, momentum 0.1 and epsilon 1e-5. */
    public BatchNorm() {
      this(DEFAULT_MOMENTUM, DEFAULT_EPSILON);
    }

    /** {@code batchnorm}, with {@code (momentum=..,epsilon=..)} only where they are not the defaults. */
    @Override
    public String text() {
      if (momentum == DEFAULT_MOMENTUM && epsilon == DEFAULT_EPSILON) {
        return "batchnorm";
      }
      StringBuilder sb = new StringBuilder("batchnorm(");
      if (momentum != DEFAULT_MOMENTUM) {
        sb.append("momentum=").append(momentum);
      }
      if (epsilon != DEFAULT_EPSILON) {
        sb.append(momentum != DEFAULT_MOMENTUM ? "," : "").append("epsilon=").append(epsilon);
      }
      return sb.append(')').toString();
    }
  }
}
