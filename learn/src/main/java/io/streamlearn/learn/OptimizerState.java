package io.streamlearn.learn;

import io.streamlearn.tensor.NamedTensor;
import java.util.List;

/**
 * The exportable state of a learner's optimizer, for checkpoints: the number of steps taken and the
 * per-parameter slot vectors (Adam's {@code m} and {@code v}, SGD's velocity, ...), each a flat tensor
 * named after its slot and laid out like the learner's flat parameter vector.
 *
 * @param step  optimizer steps taken so far, >= 0
 * @param slots slot tensors, in the order of {@link OptimizerConfig#slotNames()}
 */
public record OptimizerState(long step, List<NamedTensor> slots) {

  /** Validates the fields and copies the list. */
  public OptimizerState {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    if (slots == null) {
      throw new IllegalArgumentException("slots must not be null");
    }
    slots = List.copyOf(slots);
  }
}
