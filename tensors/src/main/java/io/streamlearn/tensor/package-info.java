/**
 * The numbers a model is made of, one type per concept for every module that handles them:
 * {@link io.streamlearn.tensor.NamedTensor} (weights, biases, optimizer slots) and {@link
 * io.streamlearn.tensor.Preprocessing} (the frozen feature scaling).
 *
 * <p>Why a module of its own: the learning engine ({@code learn}) must not depend on Kafka and the
 * registry ({@code model-registry}) must not depend on ND4J, so neither can own a type the other
 * uses. Each used to keep its own copy ({@code learn.Tensor} beside {@code registry.NamedTensor},
 * {@code learn.Preprocessor} beside {@code registry.Preprocessing}), with rules that had drifted
 * apart and a converter in the runtime between them. Here both depend on one plain Java module that
 * depends on nothing (its POM enforces that), so a learner's parameters go into a model version,
 * and a version's tensors into a model, as they are. The registry's names and rules won, because its
 * artifact format is the published contract: old artifacts decode to the same values.
 */
package io.streamlearn.tensor;
