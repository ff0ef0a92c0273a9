package io.streamlearn.learn;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Optimizer choice and hyper-parameters, Keras/PyTorch style. Build with {@link #sgd}, {@link #adam},
 * {@link #rmsprop} or {@link #adagrad}, then refine with the {@code with*} methods.
 *
 * <p>Update rules, with {@code g} the gradient after L2 and clipping, {@code lr} the scheduled rate:
 * <ul>
 *   <li>SGD: {@code v = momentum*v + g}; {@code w -= lr*v}, or with Nesterov {@code w -= lr*(g + momentum*v)}
 *       (PyTorch's formulation); plain {@code w -= lr*g} when momentum is 0.</li>
 *   <li>ADAM: {@code m = b1*m + (1-b1)*g}, {@code v = b2*v + (1-b2)*g^2},
 *       {@code w -= lr/(1-b1^t) * m / (sqrt(v/(1-b2^t)) + eps)} with {@code t} the 1-based step
 *       (PyTorch's formulation).</li>
 *   <li>RMSPROP: {@code s = rho*s + (1-rho)*g^2}; {@code w -= lr * g / (sqrt(s) + eps)}.</li>
 *   <li>ADAGRAD: {@code s += g^2}; {@code w -= lr * g / (sqrt(s) + eps)}.</li>
 * </ul>
 *
 * @param kind         which optimizer
 * @param learningRate base learning rate, > 0
 * @param momentum     SGD momentum in {@code [0, 1)}
 * @param nesterov     SGD Nesterov momentum (requires momentum > 0)
 * @param beta1        Adam first-moment decay in {@code [0, 1)}
 * @param beta2        Adam second-moment decay in {@code [0, 1)}
 * @param epsilon      denominator guard of Adam/RMSProp/AdaGrad, > 0
 * @param rho          RMSProp decay in {@code [0, 1)}
 * @param l2           L2 weight decay on the weights (not the biases), added to the gradient as
 *                     {@code l2 * w}; >= 0
 * @param clipNorm     if > 0, the whole gradient is rescaled so its global L2 norm is at most this
 * @param clipValue    if > 0, each gradient component is clipped to {@code [-clipValue, clipValue]}
 * @param schedule     learning-rate schedule over optimizer steps
 */
public record OptimizerConfig(Kind kind, double learningRate, double momentum, boolean nesterov,
                double beta1, double beta2, double epsilon, double rho,
                double l2, double clipNorm, double clipValue, LearningRateSchedule schedule) {

  /** The optimizer algorithm. */
  public enum Kind { SGD, ADAM, RMSPROP, ADAGRAD }

  /** Validates the fields. */
  public OptimizerConfig {
    if (kind == null) {
      throw new IllegalArgumentException("kind must not be null");
    }
    if (!(learningRate > 0.0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be a finite number > 0, got " + learningRate);
    }
    requireUnit("momentum", momentum);
    requireUnit("beta1", beta1);
    requireUnit("beta2", beta2);
    requireUnit("rho", rho);
    if (nesterov && momentum == 0.0) {
      throw new IllegalArgumentException("nesterov requires momentum > 0, got momentum " + momentum);
    }
    if (!(epsilon > 0.0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be a finite number > 0, got " + epsilon);
    }
    requireNonNegative("l2", l2);
    requireNonNegative("clipNorm", clipNorm);
    requireNonNegative("clipValue", clipValue);
    if (schedule == null) {
      throw new IllegalArgumentException("schedule must not be null");
    }
  }

  private static void requireUnit(String field, double value) {
    if (!(value >= 0.0 && value < 1.0)) {
      throw new IllegalArgumentException(field + " must be in [0, 1), got " + value);
    }
  }

  private static void requireNonNegative(String field, double value) {
    if (!(value >= 0.0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(field + " must be a finite number >= 0, got " + value);
    }
  }

  /** SGD with the given momentum (0 for plain SGD). */
  public static OptimizerConfig sgd(double learningRate, double momentum) {
    return new OptimizerConfig(Kind.SGD, learningRate, momentum, false, 0.9, 0.999, 1e-8, 0.9,
        0.0, 0.0, 0.0, LearningRateSchedule.CONSTANT);
  }

  /** SGD with Nesterov momentum. */
  public static OptimizerConfig nesterov(double learningRate, double momentum) {
    return sgd(learningRate, momentum).withNesterov(true);
  }

  /** Adam with betas 0.9/0.999 and epsilon 1e-8 (PyTorch's defaults). */
  public static OptimizerConfig adam(double learningRate) {
    return new OptimizerConfig(Kind.ADAM, learningRate, 0.0, false, 0.9, 0.999, 1e-8, 0.9,
        0.0, 0.0, 0.0, LearningRateSchedule.CONSTANT);
  }

  /** RMSProp with rho 0.9 and epsilon 1e-7 (Keras' defaults). */
  public static OptimizerConfig rmsprop(double learningRate) {
    return new OptimizerConfig(Kind.RMSPROP, learningRate, 0.0, false, 0.9, 0.999, 1e-7, 0.9,
        0.0, 0.0, 0.0, LearningRateSchedule.CONSTANT);
  }

  /** AdaGrad with epsilon 1e-7. */
  public static OptimizerConfig adagrad(double learningRate) {
    return new OptimizerConfig(Kind.ADAGRAD, learningRate, 0.0, false, 0.9, 0.999, 1e-7, 0.9,
        0.0, 0.0, 0.0, LearningRateSchedule.CONSTANT);
  }

  /** A copy with another base learning rate. */
  public OptimizerConfig withLearningRate(double value) {
    return new OptimizerConfig(kind, value, momentum, nesterov, beta1, beta2, epsilon, rho, l2, clipNorm, clipValue, schedule);
  }

  /** A copy with Nesterov momentum switched on or off. */
  public OptimizerConfig withNesterov(boolean value) {
    return new OptimizerConfig(kind, learningRate, momentum, value, beta1, beta2, epsilon, rho, l2, clipNorm, clipValue, schedule);
  }

  /** A copy with other Adam betas. */
  public OptimizerConfig withBetas(double b1, double b2) {
    return new OptimizerConfig(kind, learningRate, momentum, nesterov, b1, b2, epsilon, rho, l2, clipNorm, clipValue, schedule);
  }

  /** A copy with another epsilon. */
  public OptimizerConfig withEpsilon(double value) {
    return new OptimizerConfig(kind, learningRate, momentum, nesterov, beta1, beta2, value, rho, l2, clipNorm, clipValue, schedule);
  }

  /** A copy with another RMSProp decay. */
  public OptimizerConfig withRho(double value) {
    return new OptimizerConfig(kind, learningRate, momentum, nesterov, beta1, beta2, epsilon, value, l2, clipNorm, clipValue, schedule);
  }

  /** A copy with L2 weight decay. */
  public OptimizerConfig withL2(double value) {
    return new OptimizerConfig(kind, learningRate, momentum, nesterov, beta1, beta2, epsilon, rho, value, clipNorm, clipValue, schedule);
  }

  /** A copy with global-norm gradient clipping (0 switches it off). */
  public OptimizerConfig withClipNorm(double value) {
    return new OptimizerConfig(kind, learningRate, momentum, nesterov, beta1, beta2, epsilon, rho, l2, value, clipValue, schedule);
  }

  /** A copy with per-component gradient clipping (0 switches it off). */
  public OptimizerConfig withClipValue(double value) {
    return new OptimizerConfig(kind, learningRate, momentum, nesterov, beta1, beta2, epsilon, rho, l2, clipNorm, value, schedule);
  }

  /** A copy with a learning-rate schedule. */
  public OptimizerConfig withSchedule(LearningRateSchedule value) {
    return new OptimizerConfig(kind, learningRate, momentum, nesterov, beta1, beta2, epsilon, rho, l2, clipNorm, clipValue, value);
  }

  /** Names of the per-parameter state vectors this optimizer keeps, in export order. */
  public java.util.List<String> slotNames() {
    switch (kind) {
      case SGD:
        return momentum > 0.0 ? java.util.List.of("velocity") : java.util.List.of();
      case ADAM:
        return java.util.List.of("m", "v");
      case RMSPROP:
      case ADAGRAD:
        return java.util.List.of("accumulator");
      default:
        throw new IllegalStateException("unhandled optimizer kind " + kind);
    }
  }

  /**
   * Parses the compact text form, e.g. {@code adam(0.001)}, {@code adam(lr=0.001,beta2=0.99,l2=1e-4)},
   * {@code sgd(lr=0.1,momentum=0.9,nesterov=true,clipnorm=1)} or
   * {@code rmsprop(lr=0.001,schedule=cosine(10000,0.1))}. The optional positional argument is the
   * learning rate; keys: lr, momentum, nesterov, beta1, beta2, epsilon, rho, l2, clipnorm, clipvalue,
   * schedule. Unset keys keep the defaults of {@link #sgd}, {@link #adam}, {@link #rmsprop}, {@link #adagrad}.
   *
   * @throws IllegalArgumentException naming the unknown optimizer, key or bad value
   */
  public static OptimizerConfig parse(String text) {
    return parse(text, Map.of());
  }

  /**
   * Parses the compact text form like {@link #parse(String)}, taking each key the text leaves out
   * from {@code fallback} when it is there (and from the optimizer's defaults otherwise). A caller
   * with its own settings for some keys, such as a command line with a learning-rate flag beside
   * an optimizer flag, lets the text win where it says something and its settings fill the rest.
   *
   * @param fallback values by key (lr, momentum, l2, ...), in the text's syntax
   * @throws IllegalArgumentException naming the unknown optimizer, key or bad value
   */
  public static OptimizerConfig parse(String text, Map<String, String> fallback) {
    ConfigText t = ConfigText.parse("optimizer", text);
    String what = "optimizer '" + text + "'";
    Map<String, String> named = new LinkedHashMap<>(fallback);
    if (!t.positional.isEmpty()) {
      named.remove("lr");
    }
    named.putAll(t.named);
    double lr = named.containsKey("lr") ? ConfigText.number(what, "lr", named.get("lr"))
        : t.positional.isEmpty() ? Double.NaN : ConfigText.number(what, "lr", t.positional.get(0));
    if (t.positional.size() > 1) {
      throw new IllegalArgumentException(what + ": only the learning rate may be given without a key");
    }
    OptimizerConfig c;
    switch (t.name) {
      case "sgd":
        c = sgd(Double.isNaN(lr) ? 0.01 : lr, 0.0);
        break;
      case "adam":
        c = adam(Double.isNaN(lr) ? 0.001 : lr);
        break;
      case "rmsprop":
        c = rmsprop(Double.isNaN(lr) ? 0.001 : lr);
        break;
      case "adagrad":
        c = adagrad(Double.isNaN(lr) ? 0.01 : lr);
        break;
      default:
        throw new IllegalArgumentException("unknown optimizer '" + t.name + "' in '" + text
            + "' (expected sgd, adam, rmsprop or adagrad)");
    }
    double momentum = c.momentum;
    boolean nesterov = c.nesterov;
    double beta1 = c.beta1;
    double beta2 = c.beta2;
    double epsilon = c.epsilon;
    double rho = c.rho;
    double l2 = c.l2;
    double clipNorm = c.clipNorm;
    double clipValue = c.clipValue;
    LearningRateSchedule schedule = c.schedule;
    for (Map.Entry<String, String> e : named.entrySet()) {
      String v = e.getValue();
      switch (e.getKey()) {
        case "lr" -> { }
        case "momentum" -> momentum = ConfigText.number(what, "momentum", v);
        case "nesterov" -> nesterov = ConfigText.bool(what, "nesterov", v);
        case "beta1" -> beta1 = ConfigText.number(what, "beta1", v);
        case "beta2" -> beta2 = ConfigText.number(what, "beta2", v);
        case "epsilon", "eps" -> epsilon = ConfigText.number(what, "epsilon", v);
        case "rho" -> rho = ConfigText.number(what, "rho", v);
        case "l2", "weight_decay" -> l2 = ConfigText.number(what, "l2", v);
        case "clipnorm" -> clipNorm = ConfigText.number(what, "clipnorm", v);
        case "clipvalue" -> clipValue = ConfigText.number(what, "clipvalue", v);
        case "schedule" -> schedule = LearningRateSchedule.parse(v);
        default -> throw new IllegalArgumentException(what + ": unknown key '" + e.getKey()
            + "' (expected lr, momentum, nesterov, beta1, beta2, epsilon, rho, l2, clipnorm, clipvalue, schedule)");
      }
    }
    return new OptimizerConfig(c.kind, c.learningRate, momentum, nesterov, beta1, beta2, epsilon, rho, l2, clipNorm,
        clipValue, schedule);
  }

  /** The compact text form, which {@link #parse} reads back to an equal config. */
  public String text() {
    StringBuilder sb = new StringBuilder(kind.name().toLowerCase(Locale.ROOT)).append("(lr=").append(learningRate);
    switch (kind) {
      case SGD -> sb.append(",momentum=").append(momentum).append(",nesterov=").append(nesterov);
      case ADAM -> sb.append(",beta1=").append(beta1).append(",beta2=").append(beta2).append(",epsilon=").append(epsilon);
      case RMSPROP -> sb.append(",rho=").append(rho).append(",epsilon=").append(epsilon);
      case ADAGRAD -> sb.append(",epsilon=").append(epsilon);
      default -> throw new IllegalStateException("unhandled optimizer kind " + kind);
    }
    if (l2 > 0) {
      sb.append(",l2=").append(l2);
    }
    if (clipNorm > 0) {
      sb.append(",clipnorm=").append(clipNorm);
    }
    if (clipValue > 0) {
      sb.append(",clipvalue=").append(clipValue);
    }
    if (schedule.kind() != LearningRateSchedule.Kind.CONSTANT) {
      sb.append(",schedule=").append(schedule.text());
    }
    return sb.append(')').toString();
  }
}
