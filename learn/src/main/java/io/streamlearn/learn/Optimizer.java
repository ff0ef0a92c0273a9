package io.streamlearn.learn;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.clip.ClipByValue;
import org.nd4j.linalg.api.ops.impl.updaters.AdaGradUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.RmsPropUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Applies one optimizer step to the whole flat parameter vector: L2 decay, clipping and the update
 * rule are each one native op over every parameter of the network (see {@link OptimizerConfig} for
 * the formulas). Holds the slot vectors (moments, velocity, accumulators). Not thread-safe.
 */
final class Optimizer {

    private final OptimizerConfig config;
    private final int total;
    private final int weightCount;
    private final List<String> slotNames;
    private final INDArray[] slots;
    private long step;

    Optimizer(OptimizerConfig config, int total, int weightCount) {
        this.config = config;
        this.total = total;
        this.weightCount = weightCount;
        this.slotNames = config.slotNames();
        this.slots = new INDArray[slotNames.size()];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = Nd4j.zeros(DataType.FLOAT, total);
        }
    }

    long step() {
        return step;
    }

    /**
     * Updates {@code params} in place from {@code grads} (which is consumed: it holds the update
     * afterwards) at learning rate {@code lr}, and advances the step counter.
     */
    void apply(INDArray params, INDArray grads, double lr, INDArray paramWeights, INDArray gradWeights) {
        if (config.l2() > 0.0 && weightCount > 0) {
            Nd4j.getBlasWrapper().level1().axpy(weightCount, config.l2(), paramWeights, gradWeights);
        }
        if (config.clipValue() > 0.0) {
            Nd4j.exec(new ClipByValue(grads, -config.clipValue(), config.clipValue()));
        }
        if (config.clipNorm() > 0.0) {
            double norm = grads.norm2Number().doubleValue();
            if (norm > config.clipNorm()) {
                grads.muli(config.clipNorm() / norm);
            }
        }
        switch (config.kind()) {
            case SGD:
                sgd(params, grads, lr);
                break;
            case ADAM:
                // In place: the op leaves the update in grads and the new moments in slots.
                Nd4j.exec(new AdamUpdater(grads, slots[1], slots[0], lr, config.beta1(), config.beta2(), config.epsilon(),
                        (int) Math.min(Integer.MAX_VALUE, step)));
                params.subi(grads);
                break;
            case RMSPROP:
                Nd4j.exec(new RmsPropUpdater(grads, slots[0], lr, config.rho(), config.epsilon()));
                params.subi(grads);
                break;
            case ADAGRAD:
                Nd4j.exec(new AdaGradUpdater(grads, slots[0], lr, config.epsilon()));
                params.subi(grads);
                break;
            default:
                throw new IllegalStateException("unhandled optimizer " + config.kind());
        }
        step++;
    }

    private void sgd(INDArray params, INDArray grads, double lr) {
        double mu = config.momentum();
        var blas = Nd4j.getBlasWrapper().level1();
        if (mu == 0.0) {
            blas.axpy(total, -lr, grads, params);
            return;
        }
        INDArray velocity = slots[0];
        velocity.muli(mu);
        velocity.addi(grads);
        if (config.nesterov()) {
            blas.axpy(total, -lr, grads, params);
            blas.axpy(total, -lr * mu, velocity, params);
        } else {
            blas.axpy(total, -lr, velocity, params);
        }
    }

    OptimizerState export() {
        List<Tensor> tensors = new ArrayList<>();
        for (int s = 0; s < slots.length; s++) {
            float[] data = new float[total];
            Network.floats(slots[s].data()).get(0, data, 0, total);
            tensors.add(new Tensor(slotNames.get(s), new int[] {total}, data));
        }
        return new OptimizerState(step, tensors);
    }

    /** @throws IllegalArgumentException naming the slot that does not match this optimizer */
    void restore(OptimizerState state) {
        if (state == null) {
            throw new IllegalArgumentException("optimizer state must not be null");
        }
        if (state.slots().size() != slots.length) {
            throw new IllegalArgumentException("optimizer " + config.kind() + " has slots " + slotNames
                    + ", got " + state.slots().size() + " tensors " + state.slots());
        }
        for (int s = 0; s < slots.length; s++) {
            Tensor t = state.slots().get(s);
            if (!t.name().equals(slotNames.get(s)) || !t.hasShape(total)) {
                throw new IllegalArgumentException("optimizer slot " + s + " must be " + slotNames.get(s) + " [" + total
                        + "], got " + t.name() + " " + java.util.Arrays.toString(t.shape()));
            }
        }
        for (int s = 0; s < slots.length; s++) {
            FloatBuffer fb = Network.floats(slots[s].data());
            fb.put(0, state.slots().get(s).data(), 0, total);
        }
        step = state.step();
    }
}
