/**
 * The learning engine: dense and convolutional networks on native BLAS, trained one mini-batch at a time and served by
 * immutable models. A plain library shared by the trainer and the inference processors; it imports
 * no Kafka.
 *
 * <p>{@link io.streamlearn.learn.Learner} is the mutable, single-threaded training state (weights,
 * optimizer moments, step counter); {@link io.streamlearn.learn.Model} is an immutable, thread-safe
 * inference-only snapshot with its frozen {@link io.streamlearn.tensor.Preprocessing}. All parameters
 * of a learner live in one flat vector (weights of every layer first, then every bias, batch norm's
 * gamma and beta, and last the running statistics, which the optimizer does not touch) and all
 * gradients in another with the same layout, so the optimizer step with L2 decay and clipping is one
 * fused, vectorised pass over the whole network. Every batch buffer is preallocated in native
 * memory, inputs are copied in with one bulk put, the matrix products go straight to the BLAS that
 * ND4J ships (or a newer system OpenBLAS, where the application opts in through
 * {@link io.streamlearn.learn.NativeSetup}), and the cheap element-wise work (bias, relu, dropout,
 * derivatives, output activation, loss) runs in Java on small blocks, which is cheaper than the
 * ~10 µs each extra native call costs. See the module README for the measurements behind each choice.
 *
 * <p>Conventions: weights are {@code [in, out]} row-major and named {@code layers.<i>.weight},
 * biases {@code [out]} named {@code layers.<i>.bias}, where {@code i} is the index of the layer in
 * {@link io.streamlearn.learn.NetworkSpec#layers()} (dropout and {@code input(h,w,c)} layers take an
 * index too); conv2d weights are {@code [filters, inChannels, k, k]} (OIHW) and batch norm has
 * {@code layers.<i>.gamma}, {@code .beta}, {@code .runningMean} and {@code .runningVar}. Images are
 * channels-last (HWC) between layers and flattened channels-first (CHW), as PyTorch does. Parameters
 * are drawn from the configured seed as each layer's {@link io.streamlearn.learn.WeightInit} says
 * (by default He-uniform for relu and leaky relu layers, Glorot-uniform otherwise, zero biases), so a
 * fixed seed gives bit-identical weights.
 */
package io.streamlearn.learn;
