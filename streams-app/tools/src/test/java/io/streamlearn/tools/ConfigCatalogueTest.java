package io.streamlearn.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.cli.ModelsConfig;
import io.streamlearn.cli.RegistryConfig;
import io.streamlearn.cli.TailConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.dashboard.DashboardConfig;
import io.streamlearn.demo.DemoConfig;
import io.streamlearn.eval.EvaluationConfig;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.train.TrainerConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** The shared keys come from {@link CommonKeys}: every command that has one means the same by it. */
class ConfigCatalogueTest {
  private static final Map<String, ConfigDef> DEFS = Map.of("train", TrainerConfig.DEF,
      "serve", InferenceConfig.DEF, "dashboard", DashboardConfig.DEF, "produce", ProduceConfig.DEF,
      "tail", TailConfig.DEF, "models", ModelsConfig.DEF, "registry", RegistryConfig.DEF, "demo", DemoConfig.DEF,
      "evaluate", EvaluationConfig.DEF);
  private static final List<String> SHARED = List.of(CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.MODEL_NAME,
      CommonKeys.ALIAS, CommonKeys.BATCH_SIZE, CommonKeys.LABELED_TOPIC, CommonKeys.FEATURES_TOPIC,
      CommonKeys.PREDICTIONS_TOPIC, CommonKeys.MODELS_TOPIC, CommonKeys.METRICS_TOPIC,
      CommonKeys.DEAD_LETTER_TOPIC, CommonKeys.TOPIC_PARTITIONS, CommonKeys.REPLICATION_FACTOR,
      CommonKeys.SERVED_METRICS_TOPIC, CommonKeys.CHALLENGER_VERDICTS_TOPIC);

  @Test
  void aSharedKeyHasOneTypeDefaultAndRuleInEveryCommandThatTakesIt() {
    for (String key : SHARED) {
      ConfigDef.ConfigKey first = null;
      String firstCommand = null;
      int commands = 0;
      for (Map.Entry<String, ConfigDef> e : DEFS.entrySet()) {
        ConfigDef.ConfigKey k = e.getValue().configKeys().get(key);
        if (k == null) {
          continue;
        }
        commands++;
        if (first == null) {
          first = k;
          firstCommand = e.getKey();
          continue;
        }
        String where = key + " in " + e.getKey() + " vs " + firstCommand;
        assertEquals(first.type, k.type, where);
        assertEquals(first.defaultValue, k.defaultValue, where);
        assertEquals(Objects.toString(first.validator), Objects.toString(k.validator), where);
      }
      assertTrue(commands >= 2, key + " is shared by " + commands + " command(s)");
    }
  }

  @Test
  void everyCommandOnTheClusterChecksModelNamesWithTheRegistrysRule() {
    for (Map.Entry<String, ConfigDef> e : DEFS.entrySet()) {
      ConfigDef.ConfigKey k = e.getValue().configKeys().get(CommonKeys.MODEL_NAME);
      if (k != null) {
        assertTrue(k.validator instanceof CommonKeys.ModelName, e.getKey() + ": " + k.validator);
      }
    }
  }
}
