package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.schema.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TrainerConfigTest {
  @Test
  void theStreamRulesHaveDefaults() {
    TrainerConfig c = TrainerConfig.fromArgs(List.of(), Map.of());
    assertEquals(0.1, c.getDouble(TrainerConfig.HOLDOUT_FRACTION));
    assertEquals(Topics.TRAINER_STATE, c.getString(TrainerConfig.CHECKPOINT_TOPIC));
    assertEquals(Topics.LABELS, c.getString(TrainerConfig.LABELS_TOPIC));
    assertEquals("adwin", c.getString(TrainerConfig.DRIFT_DETECTOR));
    assertFalse(c.getBoolean(TrainerConfig.DELAYED_LABELS));
  }

  @Test
  void flagsSetTheNewOptionsAndBadValuesNameTheKey() {
    TrainerConfig c = TrainerConfig.fromArgs(List.of("--scaler", "standard", "--delayed-labels", "true",
        "--drift-action", "reset_optimizer", "--gate-margin", "0.05"), Map.of());
    assertEquals("standard", c.getString(TrainerConfig.SCALER));
    assertTrue(c.getBoolean(TrainerConfig.DELAYED_LABELS));
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--holdout-fraction", "0.9"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.HOLDOUT_FRACTION), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--drift-action", "panic"), Map.of()));
    assertTrue(e.getMessage().contains(TrainerConfig.DRIFT_ACTION), e.getMessage());
  }
}
