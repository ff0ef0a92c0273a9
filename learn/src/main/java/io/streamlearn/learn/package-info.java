/**
 * The learning engine: dense networks on ND4J, trained one mini-batch at a time and served by
 * immutable models. A plain library shared by the trainer and the inference processors; it imports
 * no Kafka.
 *
 * <p>{@link io.streamlearn.learn.Learner} is the mutable, single-threaded training state (weights,
 * optimizer moments, step counter); {@link io.streamlearn.learn.Model} is an immutable, thread-safe
 * inference-only snapshot with its frozen {@link io.streamlearn.learn.Preprocessor}. All parameters
 * of a learner live in one flat ND4J vector (weights of every layer first, then every bias) and all
 * gradients in another with the same layout, so an optimizer step, L2 decay and clipping are each
 * one fused native op over the whole network; every batch buffer is preallocated and inputs are
 * copied in with one bulk put. The output layer's activation and the loss are computed in Java on
 * the small output block, which saves several native calls per step.
 *
 * <p>Conventions: weights are {@code [in, out]} row-major and named {@code layers.<i>.weight},
 * biases {@code [out]} named {@code layers.<i>.bias}, where {@code i} is the index of the layer in
 * {@link io.streamlearn.learn.NetworkSpec#layers()} (dropout layers take an index too). Weights are
 * initialised Glorot-uniform for tanh/sigmoid/softmax/linear layers and He-uniform for relu and leaky
 * relu layers from the configured seed, so a fixed seed gives bit-identical weights.
 */
package io.streamlearn.learn;
