package io.streamlearn.learn;

/**
 * Everything a {@link Learner} needs to start: the architecture, the loss, the optimizer, the batch
 * size its buffers are preallocated for and the seed of weight initialisation and dropout.
 *
 * @param spec         the network
 * @param loss         the training loss; softmax cross-entropy needs a softmax output layer and
 *                     binary cross-entropy a sigmoid one
 * @param optimizer    optimizer and its hyper-parameters
 * @param maxBatchSize rows per {@link Learner#fit} call the buffers are preallocated for, >= 1; the
 *                     largest batch expected. A larger batch is accepted and grows the buffers
 *                     (one allocation), so this is a sizing hint, not a limit
 * @param seed         seed of the weight initialisation and of the dropout masks
 */
public record TrainingConfig(NetworkSpec spec, Loss loss, OptimizerConfig optimizer, int maxBatchSize, long seed) {

  /** Validates the fields and that the loss fits the output layer. */
  public TrainingConfig {
    if (spec == null) {
      throw new IllegalArgumentException("spec must not be null");
    }
    if (loss == null) {
      throw new IllegalArgumentException("loss must not be null");
    }
    if (optimizer == null) {
      throw new IllegalArgumentException("optimizer must not be null");
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
    }
    Activation out = spec.outputActivation();
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY && out != Activation.SOFTMAX) {
      throw new IllegalArgumentException("loss SOFTMAX_CROSS_ENTROPY needs a softmax output layer, got " + out.token());
    }
    if (loss == Loss.BINARY_CROSS_ENTROPY && out != Activation.SIGMOID) {
      throw new IllegalArgumentException("loss BINARY_CROSS_ENTROPY needs a sigmoid output layer, got " + out.token());
    }
  }
}
