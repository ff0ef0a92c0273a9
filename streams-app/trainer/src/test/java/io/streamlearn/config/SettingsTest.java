package io.streamlearn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @Test
  void flagsWinOverEnvironmentWhichWinsOverTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trainer.properties");
    Files.writeString(file, "batch.size=16\nlearning.rate=0.5\nseed=3\nkafka.client.id=from-file\n");
    TrainerConfig c = TrainerConfig.fromArgs(
        List.of("--config", file.toString(), "--batch-size", "32", "--kafka-property", "linger.ms=7"),
        Map.of("STREAMLEARN_LEARNING_RATE", "0.25", "STREAMLEARN_BATCH_SIZE", "8", "PATH", "/bin"));
    assertEquals(32, c.getInt(TrainerConfig.BATCH_SIZE));
    assertEquals(0.25, c.getDouble(TrainerConfig.LEARNING_RATE));
    assertEquals(3L, c.getLong(TrainerConfig.SEED));
    assertEquals(Map.of("client.id", "from-file", "linger.ms", "7"), c.kafkaProperties());
  }

  @Test
  void unknownOptionFailsNamingItAndSuggestingTheNearestKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--bach-size", "3"), Map.of()));
    assertTrue(e.getMessage().contains("--bach-size"), e.getMessage());
    assertTrue(e.getMessage().contains("--batch-size"), e.getMessage());
  }

  @Test
  void invalidValueFailsNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--batch-size", "0"), Map.of()));
    assertTrue(e.getMessage().contains("batch.size"), e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--optimizer=adamw"), Map.of()));
    assertTrue(e.getMessage().contains("optimizer"), e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--model-name", "a:b"), Map.of()));
    assertTrue(e.getMessage().contains("model.name"), e.getMessage());
  }

  @Test
  void missingValueAndUnknownFileKeyFail(@TempDir Path dir) throws Exception {
    assertThrows(ConfigException.class, () -> TrainerConfig.fromArgs(List.of("--seed"), Map.of()));
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "batchsize=3\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainerConfig.fromArgs(List.of("--config", file.toString()), Map.of()));
    assertTrue(e.getMessage().contains("batchsize"), e.getMessage());
  }

  @Test
  void helpListsEveryKeyWithItsDefault() {
    String help = Settings.help("usage", TrainerConfig.DEF);
    for (String key : TrainerConfig.DEF.names()) {
      assertTrue(help.contains("--" + key.replace('.', '-')), "help lists " + key);
    }
    assertTrue(help.contains("STREAMLEARN_BATCH_SIZE"));
    assertTrue(help.contains("default: 64"));
  }
}
