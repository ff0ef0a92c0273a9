package io.streamlearn.onnx;

import io.streamlearn.learn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The layer language of a version's architecture, read and written here for the layers an ONNX
 * graph can carry: {@code input(h,w,c)}, {@code dense}, {@code dropout}, {@code conv2d},
 * {@code maxpool}, {@code avgpool}, {@code flatten} and {@code batchnorm}, with the names and
 * tensor layouts the engine agreed on (conv weights OIHW, flatten in CHW order, batch-norm
 * tensors {@code gamma}, {@code beta}, {@code runningMean}, {@code runningVar}).
 *
 * <p>Why a reader of its own and not {@code NetworkSpec.parse}: export and import work on
 * registry versions, whose architecture may name layers the engine on this classpath does not yet
 * build; the ONNX side needs only each layer's parameters, not the engine's implementation.
 */
final class Layers {
  private Layers() {}

  /** One layer. */
  sealed interface Layer {
    /** The layer-language text of this layer. */
    String text();

    /** Whether the layer has {@code layers.<i>.weight} and {@code layers.<i>.bias}. */
    default boolean weighted() {
      return false;
    }
  }

  /** {@code input(h,w,c)}: a flat event read channels-last. */
  record Input(int height, int width, int channels) implements Layer {
    Input {
      if (height < 1 || width < 1 || channels < 1) {
        throw new IllegalArgumentException("input(h,w,c) needs positive sizes, got " + height + "," + width + ","
            + channels);
      }
    }

    @Override
    public String text() {
      return "input(" + height + "," + width + "," + channels + ")";
    }
  }

  /** {@code dense(units[,activation][,init=..])}; {@code init} is kept as written, it does not matter here. */
  record Dense(int units, Activation activation, String init) implements Layer {
    Dense {
      if (units < 1) {
        throw new IllegalArgumentException("dense units must be >= 1, got " + units);
      }
    }

    @Override
    public String text() {
      return "dense(" + units + "," + activation.token() + (init.isEmpty() ? "" : ",init=" + init) + ")";
    }

    @Override
    public boolean weighted() {
      return true;
    }
  }

  /** {@code dropout(rate)}: the identity at inference. */
  record Dropout(String rate) implements Layer {
    @Override
    public String text() {
      return "dropout(" + rate + ")";
    }
  }

  /** {@code conv2d(filters,kernel[,stride=s][,padding=same|valid][,activation][,init=..])}. */
  record Conv2d(int filters, int kernel, int stride, boolean same, Activation activation, String init)
      implements Layer {
    Conv2d {
      if (filters < 1 || kernel < 1 || stride < 1) {
        throw new IllegalArgumentException("conv2d needs positive filters, kernel and stride, got " + filters + ","
            + kernel + ",stride=" + stride);
      }
    }

    @Override
    public String text() {
      StringBuilder sb = new StringBuilder("conv2d(").append(filters).append(',').append(kernel);
      if (stride != 1) {
        sb.append(",stride=").append(stride);
      }
      if (same) {
        sb.append(",padding=same");
      }
      if (activation != Activation.LINEAR) {
        sb.append(',').append(activation.token());
      }
      if (!init.isEmpty()) {
        sb.append(",init=").append(init);
      }
      return sb.append(')').toString();
    }

    @Override
    public boolean weighted() {
      return true;
    }
  }

  /** {@code maxpool(k)} or {@code avgpool(k)}: window k, stride k, no padding. */
  record Pool(boolean max, int k) implements Layer {
    Pool {
      if (k < 1) {
        throw new IllegalArgumentException("pool window must be >= 1, got " + k);
      }
    }

    @Override
    public String text() {
      return (max ? "maxpool(" : "avgpool(") + k + ")";
    }
  }

  /** {@code flatten}: CHW order. */
  record Flatten() implements Layer {
    @Override
    public String text() {
      return "flatten";
    }
  }

  /** {@code batchnorm[(momentum=m,epsilon=e)]}, PyTorch semantics. */
  record BatchNorm(double momentum, double epsilon) implements Layer {
    static final double MOMENTUM = 0.1;
    static final double EPSILON = 1e-5;

    BatchNorm {
      if (!(epsilon > 0) || !(momentum >= 0 && momentum <= 1)) {
        throw new IllegalArgumentException("batchnorm needs epsilon > 0 and momentum in [0,1], got " + epsilon
            + " and " + momentum);
      }
    }

    @Override
    public String text() {
      if (momentum == MOMENTUM && epsilon == EPSILON) {
        return "batchnorm";
      }
      return "batchnorm(momentum=" + momentum + ",epsilon=" + epsilon + ")";
    }
  }

  /** The text of a list of layers, {@code >}-separated as the layer language writes it. */
  static String text(List<Layer> layers) {
    List<String> parts = new ArrayList<>();
    layers.forEach(l -> parts.add(l.text()));
    return String.join(" > ", parts);
  }

  /**
   * The layers of an architecture.
   *
   * @throws IllegalArgumentException naming a layer that ONNX export does not carry (an
   *     embedding, whose input is the sparse fields of a feature pipeline) or cannot read
   */
  static List<Layer> parse(String architecture) {
    List<Layer> out = new ArrayList<>();
    for (String part : architecture.split(">")) {
      String s = part.strip();
      int open = s.indexOf('(');
      String name = (open < 0 ? s : s.substring(0, open)).strip().toLowerCase(Locale.ROOT);
      List<String> args = new ArrayList<>();
      if (open >= 0) {
        if (!s.endsWith(")")) {
          throw new IllegalArgumentException("layer '" + s + "' of '" + architecture + "' lacks its ')'");
        }
        for (String a : s.substring(open + 1, s.length() - 1).split(",")) {
          if (!a.isBlank()) {
            args.add(a.strip());
          }
        }
      }
      out.add(layer(name, args, s, architecture));
    }
    return out;
  }

  private static Layer layer(String name, List<String> args, String s, String architecture) {
    try {
      switch (name) {
        case "input":
          return new Input(Integer.parseInt(args.get(0)), Integer.parseInt(args.get(1)), Integer.parseInt(args.get(2)));
        case "dense": {
          Activation act = Activation.LINEAR;
          String init = "";
          for (String a : args.subList(1, args.size())) {
            if (a.toLowerCase(Locale.ROOT).startsWith("init=")) {
              init = a.substring(5).strip();
            } else {
              act = Activation.fromToken(a);
            }
          }
          return new Dense(Integer.parseInt(args.get(0)), act, init);
        }
        case "dropout":
          return new Dropout(args.get(0));
        case "conv2d": {
          int stride = 1;
          boolean same = false;
          Activation act = Activation.LINEAR;
          String init = "";
          for (String a : args.subList(2, args.size())) {
            int eq = a.indexOf('=');
            String key = eq < 0 ? "" : a.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? a : a.substring(eq + 1).strip();
            switch (key) {
              case "stride" -> stride = Integer.parseInt(value);
              case "padding" -> {
                if (!value.equalsIgnoreCase("same") && !value.equalsIgnoreCase("valid")) {
                  throw new IllegalArgumentException("padding must be same or valid, got " + value);
                }
                same = value.equalsIgnoreCase("same");
              }
              case "init" -> init = value;
              case "activation", "" -> act = Activation.fromToken(value);
              default -> throw new IllegalArgumentException("conv2d has no option " + key);
            }
          }
          return new Conv2d(Integer.parseInt(args.get(0)), Integer.parseInt(args.get(1)), stride, same, act, init);
        }
        case "maxpool":
        case "avgpool":
          return new Pool(name.equals("maxpool"), Integer.parseInt(args.get(0)));
        case "flatten":
          return new Flatten();
        case "batchnorm": {
          double momentum = BatchNorm.MOMENTUM;
          double epsilon = BatchNorm.EPSILON;
          for (String a : args) {
            int eq = a.indexOf('=');
            String key = eq < 0 ? a : a.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            switch (key) {
              case "momentum" -> momentum = Double.parseDouble(a.substring(eq + 1));
              case "epsilon" -> epsilon = Double.parseDouble(a.substring(eq + 1));
              default -> throw new IllegalArgumentException("batchnorm has no option " + key);
            }
          }
          return new BatchNorm(momentum, epsilon);
        }
        case "embedding":
          throw new IllegalArgumentException("an embedding layer reads the sparse fields of a feature pipeline, which an"
              + " ONNX graph of this export does not carry");
        default:
          throw new IllegalArgumentException("unknown layer '" + name + "'");
      }
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      throw new IllegalArgumentException("cannot read layer '" + s + "' of '" + architecture + "': " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layer '" + s + "' of '" + architecture + "': " + e.getMessage(), e);
    }
  }
}
