package io.streamlearn.learn;

import io.streamlearn.tensor.FeatureLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The architecture of a dense network: the number of input features and a list of layers.
 *
 * <p>It has a compact text form a user can type on a command line, for example
 * {@code dense(128,relu) > dropout(0.2) > dense(10,softmax)}; {@link #parse(int, String)} reads it
 * and {@link #text()} writes it back so that {@code parse(inputs, spec.text()).equals(spec)}.
 *
 * @param inputs number of input features, at least 1
 * @param layers the layers, in order; at least one, and the last non-dropout layer is dense
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
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i) instanceof LayerSpec.Embedding) {
        throw new IllegalArgumentException("embedding must be the first layer, found it at layer " + i);
      }
    }
    if (!(layers.get(layers.size() - 1) instanceof LayerSpec.Dense)) {
      throw new IllegalArgumentException("the last layer must be dense, got " + layers.get(layers.size() - 1).text());
    }
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

  /** Whether the first layer is an {@link LayerSpec.Embedding}, which needs a layout with sparse fields. */
  public boolean hasEmbedding() {
    return layers.get(0) instanceof LayerSpec.Embedding;
  }

  /**
   * Total number of trainable parameters (weights and biases) of a network over dense inputs; with
   * an embedding, whose width depends on the feature layout, see {@link #parameterCount(FeatureLayout)}.
   */
  public long parameterCount() {
    long count = 0;
    int width = inputs;
    for (LayerSpec layer : layers) {
      if (layer instanceof LayerSpec.Dense dense) {
        count += (long) width * dense.units() + dense.units();
        width = dense.units();
      }
    }
    return count;
  }

  /**
   * Total number of trainable parameters over {@code features} (whose total width must be
   * {@link #inputs()}): as {@link #parameterCount()}, and with an embedding its table
   * ({@code sparseWidth * dim}) and the dense layers over its output.
   */
  public long parameterCount(FeatureLayout features) {
    if (features.totalWidth() != inputs) {
      throw new IllegalArgumentException("feature layout is " + features.totalWidth() + " wide, the network takes "
          + inputs + " inputs");
    }
    if (!hasEmbedding()) {
      return parameterCount();
    }
    int dim = ((LayerSpec.Embedding) layers.get(0)).dim();
    long count = (long) features.sparseWidth() * dim;
    int width = features.denseWidth() + features.sparseFields().size() * dim;
    for (LayerSpec layer : layers) {
      if (layer instanceof LayerSpec.Dense dense) {
        count += (long) width * dense.units() + dense.units();
        width = dense.units();
      }
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
   * This spec with every dense layer initialised by {@code init} (e.g. {@link WeightInit#TORCH}
   * to start like a PyTorch model); the architecture is unchanged.
   */
  public NetworkSpec withInit(WeightInit init) {
    List<LayerSpec> result = new ArrayList<>(layers.size());
    for (LayerSpec layer : layers) {
      result.add(layer instanceof LayerSpec.Dense dense ? dense.withInit(init) : layer);
    }
    return new NetworkSpec(inputs, result);
  }

  /**
   * Parses the compact text form: layers separated by {@code >}, each
   * {@code dense(units[,activation][,init=name])} (activation defaults to linear, init to
   * {@link WeightInit#AUTO}; see {@link WeightInit} for the names), {@code dropout(rate)} or, first
   * only, {@code embedding(dim)};
   * whitespace is ignored and names are case-insensitive.
   *
   * @throws IllegalArgumentException naming the position and the offending token
   */
  public static NetworkSpec parse(int inputs, String text) {
    if (text == null) {
      throw new IllegalArgumentException("network spec text must not be null");
    }
    return new NetworkSpec(inputs, new Parser(text).parse());
  }

  /** A small recursive-descent parser with positions in its errors. */
  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    private final List<LayerSpec> result = new ArrayList<>();

    List<LayerSpec> parse() {
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
        throw error("expected a layer name (dense, dropout or embedding)", token());
      }
      skipSpace();
      expect('(');
      List<String> args = new ArrayList<>();
      List<Integer> argPos = new ArrayList<>();
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
        case "embedding":
          if (args.size() != 1) {
            throw error("embedding takes exactly one dim", args.get(args.size() - 1), argPos.get(argPos.size() - 1));
          }
          int dim;
          try {
            dim = Integer.parseInt(args.get(0));
          } catch (NumberFormatException e) {
            IllegalArgumentException failure = error("embedding dim must be a positive integer", args.get(0), argPos.get(0));
            failure.initCause(e);
            throw failure;
          }
          if (dim < 1) {
            throw error("embedding dim must be a positive integer", args.get(0), argPos.get(0));
          }
          if (!result.isEmpty()) {
            throw error("embedding must be the first layer", name, start);
          }
          return new LayerSpec.Embedding(dim);
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
        default:
          throw error("unknown layer type (expected dense, dropout or embedding)", name, start);
      }
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
