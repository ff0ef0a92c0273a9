package io.streamlearn.learn;

/**
 * One image or normalisation layer of a {@link Network} (conv2d, pooling, flatten, batch norm),
 * computing on Java arrays of {@code rows} examples laid out batch-major, each example's values
 * contiguous (images channels-last). Dense and dropout layers stay inside {@link Network}, whose
 * fast path for them is tuned around native buffers. Not thread-safe: each network owns its stages.
 */
interface Stage {

  /** {@code out = f(in)} for {@code rows} examples; the input starts at {@code inOffset} of {@code in}. */
  void forward(float[] in, int inOffset, int rows, float[] out);

  /**
   * The gradient with respect to the input ({@code gIn}, overwritten; null when nothing needs it)
   * and the parameters' gradients, from the gradient {@code gOut} with respect to the output, after
   * {@link #forward} on the same rows.
   */
  void backward(float[] in, int inOffset, float[] out, float[] gOut, int rows, float[] gIn);

  /** Makes what the last training forward pass learnt outside the gradient (running statistics) permanent. */
  default void commit() {
  }
}
