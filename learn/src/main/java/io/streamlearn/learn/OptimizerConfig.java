package io.streamlearn.learn;

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
}
