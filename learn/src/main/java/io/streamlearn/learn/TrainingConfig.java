package io.streamlearn.learn;

import io.streamlearn.tensor.FeatureLayout;

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
 * @param featureLayout the shape of an example: {@code FeatureLayout.dense(spec.inputs())} (the
 *                     default, given null) for dense rows, or dense columns plus sparse fields, whose
 *                     {@link FeatureLayout#totalWidth()} must be {@code spec.inputs()}. With sparse
 *                     fields the learner takes {@link io.streamlearn.tensor.SparseRows} and its first
 *                     layer is a gather-and-sum of weight rows (or an {@code embedding(dim)})
 */
public record TrainingConfig(NetworkSpec spec, Loss loss, OptimizerConfig optimizer, int maxBatchSize, long seed,
    FeatureLayout featureLayout) {

  /** A configuration over dense rows of {@code spec.inputs()} features. */
  public TrainingConfig(NetworkSpec spec, Loss loss, OptimizerConfig optimizer, int maxBatchSize, long seed) {
    this(spec, loss, optimizer, maxBatchSize, seed, null);
  }

  /** Validates the fields and that the loss fits the output layer and the layout the network. */
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
    if (featureLayout == null) {
      featureLayout = FeatureLayout.dense(spec.inputs());
    }
    if (featureLayout.totalWidth() != spec.inputs()) {
      throw new IllegalArgumentException("featureLayout is " + featureLayout.totalWidth() + " wide (dense "
          + featureLayout.denseWidth() + " + sparse " + featureLayout.sparseWidth() + "), the network takes "
          + spec.inputs() + " inputs");
    }
    if (spec.hasEmbedding() && !featureLayout.hasSparse()) {
      throw new IllegalArgumentException("an embedding needs a featureLayout with sparse fields, got only "
          + featureLayout.denseWidth() + " dense columns");
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

