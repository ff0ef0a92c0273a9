package io.streamlearn.learn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The architecture of a network: the number of input features and a list of layers.
 *
 * <p>It has a compact text form a user can type on a command line, for example
 * {@code dense(128,relu) > dropout(0.2) > dense(10,softmax)} or
 * {@code input(28,28,1) > conv2d(32,3,relu) > maxpool(2) > dense(10,softmax)};
 * {@link #parse(int, String)} reads it
 * and {@link #text()} writes it back so that {@code parse(inputs, spec.text()).equals(spec)}.
 *
 * @param inputs number of input features, at least 1
 * @param layers the layers, in order; at least one, the last one dense, and their shapes must fit
 *               (see {@link #shapes()}: an error names the layer that does not fit)
 */
public record NetworkSpec(int inputs, List<LayerSpec> layers) {

  /** Validates the fields and copies the layer list. */
  public NetworkSpec {
    if (inputs < 1) {
      throw new IllegalArgumentException("inputs must be >= 1, got " + inputs);
    }
    if (layers == null || layers.isEmpty()) {
      throw new IllegalArgumentException("layers must contain at least one dense layer, got " + layers);
    }
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) == null) {
        throw new IllegalArgumentException("layers[" + i + "] must not be null");
      }
    }
    layers = List.copyOf(layers);
    if (!(layers.get(layers.size() - 1) instanceof LayerSpec.Dense)) {
      throw new IllegalArgumentException("the last layer must be dense, got " + layers.get(layers.size() - 1).text());
    }
    shapes(inputs, layers);
  }

  /**
   * The shape of the values between two layers: an image of {@code height x width x channels}
   * (channels-last), or a vector of {@code height} values ({@code width = channels = 1}).
   *
   * @param image whether it is an image
   */
  public record Shape(int height, int width, int channels, boolean image) {
    /** Validates the fields. */
    public Shape {
      if (height < 1 || width < 1 || channels < 1) {
        throw new IllegalArgumentException("shape sides must be >= 1, got " + height + "x" + width + "x" + channels);
      }
      if (!image && (width != 1 || channels != 1)) {
        throw new IllegalArgumentException("a vector shape has width and channels 1, got " + width + "x" + channels);
      }
    }

    /** A vector of {@code n} values. */
    public static Shape vector(int n) {
      return new Shape(n, 1, 1, false);
    }

    /** Values per example. */
    public int size() {
      return height * width * channels;
    }

    @Override
    public String toString() {
      return image ? height + "x" + width + "x" + channels : String.valueOf(height);
    }
  }

  /**
   * The output shape of each layer, in order ({@link LayerSpec.Input} outputs its own shape). A
   * convolution or pooling on the raw input without {@code input(h,w,c)} reads a square
   * one-channel image.
   */
  public List<Shape> shapes() {
    return shapes(inputs, layers);
  }

  private static List<Shape> shapes(int inputs, List<LayerSpec> layers) {
    List<Shape> result = new ArrayList<>(layers.size());
    Shape shape = Shape.vector(inputs);
    boolean raw = true;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      String where = "layer " + i + " " + layer.text();
      if (layer instanceof LayerSpec.Input in) {
        if (i != 0) {
          throw new IllegalArgumentException(where + ": input(h,w,c) may only be the first layer");
        }
        if ((long) in.height() * in.width() * in.channels() != inputs) {
          throw new IllegalArgumentException(where + ": holds " + (long) in.height() * in.width() * in.channels()
              + " values per example, the network has " + inputs + " inputs");
        }
        shape = new Shape(in.height(), in.width(), in.channels(), true);
      } else if (layer instanceof LayerSpec.Conv2d conv) {
        shape = image(shape, raw, where);
        int k = conv.kernel();
        if (conv.padding() == Padding.VALID && (k > shape.height() || k > shape.width())) {
          throw new IllegalArgumentException(where + ": kernel " + k + "x" + k + " is larger than its input "
              + shape);
        }
        shape = new Shape(conv.padding().outputLength(shape.height(), k, conv.stride()),
            conv.padding().outputLength(shape.width(), k, conv.stride()), conv.filters(), true);
      } else if (layer instanceof LayerSpec.MaxPool || layer instanceof LayerSpec.AvgPool) {
        shape = image(shape, raw, where);
        int k = layer instanceof LayerSpec.MaxPool p ? p.size() : ((LayerSpec.AvgPool) layer).size();
        if (k > shape.height() || k > shape.width()) {
          throw new IllegalArgumentException(where + ": window " + k + "x" + k + " is larger than its input " + shape);
        }
        shape = new Shape(shape.height() / k, shape.width() / k, shape.channels(), true);
      } else if (layer instanceof LayerSpec.Flatten || layer instanceof LayerSpec.Dense && shape.image()) {
        shape = Shape.vector(shape.size());
      }
      if (layer instanceof LayerSpec.Dense dense) {
        shape = Shape.vector(dense.units());
      }
      if (!(layer instanceof LayerSpec.Input || layer instanceof LayerSpec.Dropout)) {
        raw = false;
      }
      result.add(shape);
    }
    return List.copyOf(result);
  }

  /** The image a convolution or pooling reads, or an error naming the layer. */
  private static Shape image(Shape shape, boolean raw, String where) {
    if (shape.image()) {
      return shape;
    }
    if (!raw) {
      throw new IllegalArgumentException(where + ": needs an image, got a vector of " + shape.height()
          + " values from the layer before");
    }
    int side = (int) Math.round(Math.sqrt(shape.height()));
    if (side * side != shape.height()) {
      throw new IllegalArgumentException(where + ": needs an image and the " + shape.height()
          + " inputs are not a square; give input(height,width,channels) as the first layer");
    }
    return new Shape(side, side, 1, true);
  }

  /** Builds a spec from layers given in order. */
  public static NetworkSpec of(int inputs, LayerSpec... layers) {
    return new NetworkSpec(inputs, List.of(layers));
  }

  /** Units of the last dense layer: the width of the network's output. */
  public int outputs() {
    return ((LayerSpec.Dense) layers.get(layers.size() - 1)).units();
  }

  /** The activation of the last dense layer. */
  public Activation outputActivation() {
    return ((LayerSpec.Dense) layers.get(layers.size() - 1)).activation();
  }

  /**
   * Total number of trainable parameters (weights, biases, batch norm's gamma and beta; not its
   * running statistics).
   */
  public long parameterCount() {
    long count = 0;
    List<Shape> shapes = shapes();
    Shape in = Shape.vector(inputs);
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      if (layer instanceof LayerSpec.Dense dense) {
        count += (long) in.size() * dense.units() + dense.units();
      } else if (layer instanceof LayerSpec.Conv2d conv) {
        long inChannels = in.image() ? in.channels() : 1;
        count += inChannels * conv.kernel() * conv.kernel() * conv.filters() + conv.filters();
      } else if (layer instanceof LayerSpec.BatchNorm) {
        count += 2L * (in.image() ? in.channels() : in.height());
      }
      in = shapes.get(i);
    }
    return count;
  }

  /** The compact text form, e.g. {@code dense(128,relu) > dropout(0.2) > dense(10,softmax)}. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (LayerSpec layer : layers) {
      if (sb.length() > 0) {
        sb.append(" > ");
      }
      sb.append(layer.text());
    }
    return sb.toString();
  }

  /**
   * This spec with every dense and conv2d layer initialised by {@code init} (e.g.
   * {@link WeightInit#TORCH} to start like a PyTorch model); the architecture is unchanged.
   */
  public NetworkSpec withInit(WeightInit init) {
    List<LayerSpec> result = new ArrayList<>(layers.size());
    for (LayerSpec layer : layers) {
      if (layer instanceof LayerSpec.Dense dense) {
        result.add(dense.withInit(init));
      } else if (layer instanceof LayerSpec.Conv2d conv) {
        result.add(conv.withInit(init));
      } else {
        result.add(layer);
      }
    }
    return new NetworkSpec(inputs, result);
  }

  /**
   * Parses the compact text form: layers separated by {@code >}, each
   * {@code dense(units[,activation][,init=name])} (activation defaults to linear, init to
   * {@link WeightInit#AUTO}; see {@link WeightInit} for the names), {@code dropout(rate)},
   * {@code input(height,width,channels)}, {@code conv2d(filters,kernel[,stride=s][,padding=same|valid]
   * [,activation][,init=name])}, {@code maxpool(k)}, {@code avgpool(k)}, {@code flatten} or
   * {@code batchnorm[(momentum=m,epsilon=e)]}; whitespace is ignored and names are case-insensitive.
   *
   * @throws IllegalArgumentException naming the position and the offending token, or, for layers
   *                                  whose shapes do not fit, the layer
   */
  public static NetworkSpec parse(int inputs, String text) {
    if (text == null) {
      throw new IllegalArgumentException("network spec text must not be null");
    }
    return new NetworkSpec(inputs, new Parser(text).parse());
  }

  /**
   * The layers of the compact text form, checked for syntax and each layer's own fields but not for
   * shapes, which need the input count: for a check of a command-line flag before the count is
   * known (from a registered version or the first event).
   *
   * @throws IllegalArgumentException naming the position and the offending token
   */
  public static List<LayerSpec> parseLayers(String text) {
    if (text == null) {
      throw new IllegalArgumentException("network spec text must not be null");
    }
    return List.copyOf(new Parser(text).parse());
  }

  /** A small recursive-descent parser with positions in its errors. */
  private static final class Parser {
    private static final String LAYER_NAMES = "dense, dropout, input, conv2d, maxpool, avgpool, flatten or batchnorm";
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    List<LayerSpec> parse() {
      List<LayerSpec> result = new ArrayList<>();
      skipSpace();
      if (pos == text.length()) {
        throw error("expected a layer such as dense(10,softmax)", "");
      }
      while (true) {
        result.add(layer());
        skipSpace();
        if (pos == text.length()) {
          return result;
        }
        if (text.charAt(pos) != '>') {
          throw error("expected '>' between layers", token());
        }
        pos++;
        skipSpace();
      }
    }

    private LayerSpec layer() {
      int start = pos;
      while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
        pos++;
      }
      String name = text.substring(start, pos).toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        throw error("expected a layer name (" + LAYER_NAMES + ")", token());
      }
      skipSpace();
      List<String> args = new ArrayList<>();
      List<Integer> argPos = new ArrayList<>();
      boolean bare = (name.equals("flatten") || name.equals("batchnorm"))
          && (pos == text.length() || text.charAt(pos) != '(');
      if (bare) {
        return name.equals("flatten") ? new LayerSpec.Flatten() : new LayerSpec.BatchNorm();
      }
      expect('(');
      while (true) {
        skipSpace();
        int argStart = pos;
        while (pos < text.length() && ",)>(".indexOf(text.charAt(pos)) < 0) {
          pos++;
        }
        args.add(text.substring(argStart, pos).trim());
        argPos.add(argStart);
        if (pos < text.length() && text.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect(')');
        break;
      }
      switch (name) {
        case "dense":
          return dense(args, argPos);
        case "dropout":
          if (args.size() != 1) {
            throw error("dropout takes exactly one rate", args.get(args.size() - 1), argPos.get(argPos.size() - 1));
          }
          double rate;
          try {
            rate = Double.parseDouble(args.get(0));
          } catch (NumberFormatException e) {
            IllegalArgumentException failure = error("dropout rate must be a number in [0,1)", args.get(0), argPos.get(0));
            failure.initCause(e);
            throw failure;
          }
          if (!(rate >= 0.0 && rate < 1.0)) {
            throw error("dropout rate must be in [0,1)", args.get(0), argPos.get(0));
          }
          return new LayerSpec.Dropout(rate);
        case "input":
          int[] hwc = ints(name, args, argPos, 3);
          return new LayerSpec.Input(hwc[0], hwc[1], hwc[2]);
        case "conv2d":
          return conv2d(args, argPos);
        case "maxpool":
          return new LayerSpec.MaxPool(ints(name, args, argPos, 1)[0]);
        case "avgpool":
          return new LayerSpec.AvgPool(ints(name, args, argPos, 1)[0]);
        case "flatten":
          if (args.size() != 1 || !args.get(0).isEmpty()) {
            throw error("flatten takes no arguments", args.get(0), argPos.get(0));
          }
          return new LayerSpec.Flatten();
        case "batchnorm":
          return batchNorm(args, argPos);
        default:
          throw error("unknown layer type (expected " + LAYER_NAMES + ")", name, start);
      }
    }

    /** Exactly {@code n} positive integers. */
    private int[] ints(String name, List<String> args, List<Integer> argPos, int n) {
      if (args.size() != n) {
        int last = args.size() - 1;
        throw error(name + " takes " + n + " positive integer" + (n == 1 ? "" : "s"), args.get(last), argPos.get(last));
      }
      int[] result = new int[n];
      for (int k = 0; k < n; k++) {
        result[k] = positive(name, args.get(k), argPos.get(k));
      }
      return result;
    }

    private int positive(String what, String arg, int at) {
      int value;
      try {
        value = Integer.parseInt(arg);
      } catch (NumberFormatException e) {
        IllegalArgumentException failure = error(what + " needs a positive integer", arg, at);
        failure.initCause(e);
        throw failure;
      }
      if (value < 1) {
        throw error(what + " needs a positive integer", arg, at);
      }
      return value;
    }

    /** {@code conv2d(filters,kernel[,stride=s][,padding=same|valid][,activation][,init=name])}. */
    private LayerSpec conv2d(List<String> args, List<Integer> argPos) {
      String usage = "conv2d takes (filters,kernel[,stride=s][,padding=same|valid][,activation][,init=name])";
      if (args.size() < 2 || args.get(0).contains("=") || args.get(1).contains("=")) {
        int k = Math.min(args.size() - 1, args.size() < 2 ? args.size() - 1 : (args.get(0).contains("=") ? 0 : 1));
        throw error(usage, args.get(k), argPos.get(k));
      }
      int filters = positive("conv2d filters", args.get(0), argPos.get(0));
      int kernel = positive("conv2d kernel", args.get(1), argPos.get(1));
      int stride = 1;
      Padding padding = Padding.VALID;
      Activation activation = Activation.LINEAR;
      WeightInit init = WeightInit.AUTO;
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int k = 2; k < args.size(); k++) {
        String arg = args.get(k);
        int at = argPos.get(k);
        int eq = arg.indexOf('=');
        String key = eq < 0 ? "activation" : arg.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = eq < 0 ? arg : arg.substring(eq + 1).trim();
        if (!seen.add(key)) {
          throw error(key + " is given twice", arg, at);
        }
        try {
          switch (key) {
            case "activation":
              activation = Activation.fromToken(value);
              if (activation == Activation.SOFTMAX) {
                throw error("activation of a conv2d must be elementwise, not softmax", arg, at);
              }
              break;
            case "stride":
              stride = positive("conv2d stride", value, at);
              break;
            case "padding":
              padding = Padding.fromToken(value);
              break;
            case "init":
              init = WeightInit.fromToken(value);
              break;
            default:
              throw error("conv2d has no option '" + key + "' (" + usage + ")", arg, at);
          }
        } catch (IllegalArgumentException e) {
          if (e.getMessage().startsWith("bad network spec")) {
            throw e;
          }
          throw error(e, arg, at);
        }
      }
      return new LayerSpec.Conv2d(filters, kernel, stride, padding, activation, init);
    }

    /** {@code batchnorm([momentum=m][,epsilon=e])}. */
    private LayerSpec batchNorm(List<String> args, List<Integer> argPos) {
      double momentum = LayerSpec.BatchNorm.DEFAULT_MOMENTUM;
      double epsilon = LayerSpec.BatchNorm.DEFAULT_EPSILON;
      if (args.size() == 1 && args.get(0).isEmpty()) {
        return new LayerSpec.BatchNorm();
      }
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int k = 0; k < args.size(); k++) {
        String arg = args.get(k);
        int at = argPos.get(k);
        int eq = arg.indexOf('=');
        String key = eq < 0 ? "" : arg.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        if (!key.equals("momentum") && !key.equals("epsilon")) {
          throw error("batchnorm takes (momentum=m,epsilon=e)", arg, at);
        }
        if (!seen.add(key)) {
          throw error(key + " is given twice", arg, at);
        }
        double value;
        try {
          value = Double.parseDouble(arg.substring(eq + 1).trim());
        } catch (NumberFormatException e) {
          IllegalArgumentException failure = error("batchnorm " + key + " must be a number", arg, at);
          failure.initCause(e);
          throw failure;
        }
        if (key.equals("momentum")) {
          if (!(value >= 0.0 && value <= 1.0)) {
            throw error("batchnorm momentum must be in [0,1]", arg, at);
          }
          momentum = value;
        } else {
          if (!(value > 0.0) || Double.isInfinite(value)) {
            throw error("batchnorm epsilon must be a number > 0", arg, at);
          }
          epsilon = value;
        }
      }
      return new LayerSpec.BatchNorm(momentum, epsilon);
    }

    /** {@code dense(units[,activation][,init=name])}. */
    private LayerSpec dense(List<String> args, List<Integer> argPos) {
      int positional = 0;
      while (positional < args.size() && args.get(positional).indexOf('=') < 0) {
        positional++;
      }
      if (positional == 0) {
        throw error("dense takes (units[,activation][,init=name])", args.get(0), argPos.get(0));
      }
      if (positional > 2) {
        throw error("dense takes (units[,activation][,init=name])", args.get(2), argPos.get(2));
      }
      int units = parseUnits(args.get(0), argPos.get(0));
      Activation activation = Activation.LINEAR;
      if (positional == 2) {
        try {
          activation = Activation.fromToken(args.get(1));
        } catch (IllegalArgumentException e) {
          throw error(e, args.get(1), argPos.get(1));
        }
      }
      WeightInit init = WeightInit.AUTO;
      boolean initSeen = false;
      for (int k = positional; k < args.size(); k++) {
        String arg = args.get(k);
        int eq = arg.indexOf('=');
        if (eq < 0) {
          throw error("positional argument after a named one", arg, argPos.get(k));
        }
        String key = arg.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        if (!key.equals("init")) {
          throw error("dense has no option '" + key + "' (expected init=auto|he|glorot|lecun|torch)", arg, argPos.get(k));
        }
        if (initSeen) {
          throw error("init is given twice", arg, argPos.get(k));
        }
        initSeen = true;
        try {
          init = WeightInit.fromToken(arg.substring(eq + 1));
        } catch (IllegalArgumentException e) {
          throw error(e, arg, argPos.get(k));
        }
      }
      return new LayerSpec.Dense(units, activation, init);
    }

    private IllegalArgumentException error(IllegalArgumentException cause, String token, int at) {
      IllegalArgumentException failure = error(cause.getMessage(), token, at);
      failure.initCause(cause);
      return failure;
    }

    private int parseUnits(String arg, int at) {
      int units;
      try {
        units = Integer.parseInt(arg);
      } catch (NumberFormatException e) {
        IllegalArgumentException failure = error("dense units must be a positive integer", arg, at);
        failure.initCause(e);
        throw failure;
      }
      if (units < 1) {
        throw error("dense units must be a positive integer", arg, at);
      }
      return units;
    }

    private void expect(char c) {
      skipSpace();
      if (pos >= text.length() || text.charAt(pos) != c) {
        throw error("expected '" + c + "'", token());
      }
      pos++;
    }

    private void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    private String token() {
      if (pos >= text.length()) {
        return "";
      }
      int end = pos + 1;
      while (end < text.length() && Character.isLetterOrDigit(text.charAt(end))) {
        end++;
      }
      return text.substring(pos, end);
    }

    private IllegalArgumentException error(String message, String token) {
      return error(message, token, pos);
    }

    private IllegalArgumentException error(String message, String token, int at) {
      String found = token.isEmpty() ? "end of input" : "'" + token + "'";
      return new IllegalArgumentException("bad network spec at position " + at + " (found " + found + "): "
          + message + " in \"" + text + "\"");
    }
  }
}
