package io.streamlearn.learn;

/**
 * Training loss. Each is the mean over the batch (and, for {@link #MSE} and
 * {@link #BINARY_CROSS_ENTROPY}, over the outputs too), as in Keras and PyTorch.
 */
public enum Loss {
    /**
     * Cross-entropy of a softmax output against sparse labels (one class index per row). Requires a
     * {@link Activation#SOFTMAX} output layer; computed from the logits for numerical stability.
     */
    SOFTMAX_CROSS_ENTROPY,
    /** Mean squared error against {@code rows * outputs} targets; any output activation. */
    MSE,
    /**
     * Binary cross-entropy against {@code rows * outputs} targets in {@code [0, 1]}. Requires a
     * {@link Activation#SIGMOID} output layer; computed from the logits for numerical stability.
     */
    BINARY_CROSS_ENTROPY;

    /** Number of target values per row that {@link Learner#fit} expects for a network with {@code outputs} units. */
    public int targetsPerRow(int outputs) {
        return this == SOFTMAX_CROSS_ENTROPY ? 1 : outputs;
    }
}
