package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigTextTest {

  @Test
  void optimizerTextRoundTrips() {
    List<OptimizerConfig> configs = List.of(OptimizerConfig.adam(1e-3), OptimizerConfig.nesterov(0.1, 0.9).withL2(1e-4),
        OptimizerConfig.rmsprop(0.01).withClipNorm(1).withSchedule(LearningRateSchedule.cosine(1000, 0.1)),
        OptimizerConfig.adagrad(0.05).withClipValue(0.5).withSchedule(LearningRateSchedule.step(100, 0.5)),
        OptimizerConfig.sgd(0.2, 0).withSchedule(LearningRateSchedule.exponential(10, 0.9)));
    for (OptimizerConfig c : configs) {
      assertEquals(c, OptimizerConfig.parse(c.text()), c.text());
    }
  }

  @Test
  void optimizerShortForms() {
    assertEquals(OptimizerConfig.adam(0.001), OptimizerConfig.parse("adam(0.001)"));
    assertEquals(OptimizerConfig.adam(0.001), OptimizerConfig.parse("Adam"));
    assertEquals(OptimizerConfig.sgd(0.1, 0.9).withNesterov(true).withL2(0.01),
        OptimizerConfig.parse("sgd(lr=0.1, momentum=0.9, nesterov=true, l2=0.01)"));
    assertEquals(LearningRateSchedule.step(1000, 0.5),
        OptimizerConfig.parse("adam(lr=0.01,schedule=step(1000,0.5))").schedule());
  }

  @Test
  void theTextWinsOverFallbacksThatFillWhatItLeavesOut() {
    Map<String, String> fallback = Map.of("lr", "0.05", "momentum", "0.5", "l2", "0.001");
    assertEquals(OptimizerConfig.sgd(0.05, 0.5).withL2(0.001), OptimizerConfig.parse("sgd", fallback));
    assertEquals(OptimizerConfig.sgd(0.2, 0).withL2(0.001),
        OptimizerConfig.parse("sgd(lr=0.2, momentum=0)", fallback));
    assertEquals(OptimizerConfig.sgd(0.3, 0.5).withL2(0.001), OptimizerConfig.parse("sgd(0.3)", fallback));
    assertEquals(OptimizerConfig.adam(0.001).withClipNorm(1.0),
        OptimizerConfig.parse("adam(lr=1e-3, clipnorm=1.0)", Map.of("lr", "0.05")));
  }

  @Test
  void optimizerErrorsNameTheProblem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.parse("adamw(0.1)"));
    assertTrue(e.getMessage().contains("adamw"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.parse("adam(lr=0.1,betta=0.9)"));
    assertTrue(e.getMessage().contains("betta"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.parse("sgd(lr=fast)"));
    assertTrue(e.getMessage().contains("fast"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.parse("adam(0.1"));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("linear(3)"));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("step(3)"));
  }

  @Test
  void lossTokens() {
    assertEquals(Loss.SOFTMAX_CROSS_ENTROPY, Loss.fromToken("sparse_categorical_crossentropy"));
    assertEquals(Loss.MSE, Loss.fromToken("MSE"));
    assertEquals(Loss.BINARY_CROSS_ENTROPY, Loss.fromToken("binary-cross-entropy"));
    assertThrows(IllegalArgumentException.class, () -> Loss.fromToken("hinge"));
  }
}
