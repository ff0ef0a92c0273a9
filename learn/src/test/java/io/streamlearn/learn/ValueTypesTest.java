package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ValueTypesTest {

  @Test
  void configsValidate() {
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.adam(0));
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.sgd(0.1, 1.0));
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.sgd(0.1, 0).withNesterov(true));
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.adam(0.1).withL2(-1));
    NetworkSpec softmax = NetworkSpec.parse(3, "dense(2,softmax)");
    NetworkSpec linear = NetworkSpec.parse(3, "dense(2)");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TrainingConfig(linear, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.1), 8, 1));
    assertTrue(e.getMessage().contains("softmax"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new TrainingConfig(softmax, Loss.BINARY_CROSS_ENTROPY, OptimizerConfig.adam(0.1), 8, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new TrainingConfig(softmax, Loss.MSE, OptimizerConfig.adam(0.1), 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new OptimizerState(-1, List.of()));
  }
}
