package io.streamlearn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The command-line conventions {@link Settings} gives every command: switches, help, warnings. */
class SettingsCommandLineTest {
  private static final ConfigDef DEF = new ConfigDef()
      .define("read.only", Type.BOOLEAN, false, Importance.HIGH, "Refuse writes.")
      .define("batch.size", Type.INT, 64, Importance.HIGH, "Rows per batch.")
      .define("model.name", Type.STRING, "default", Importance.HIGH, "The model.");

  @Test
  void aBareBooleanSwitchMeansTrue() {
    assertEquals(Map.of("read.only", "true"), Settings.collect(DEF, List.of("--read-only"), Map.of()));
    assertEquals("true", Settings.collect(DEF, List.of("--read-only", "--batch-size", "3"), Map.of())
        .get("read.only"));
  }

  @Test
  void aSwitchStillTakesAnExplicitValue() {
    assertEquals("false", Settings.collect(DEF, List.of("--read-only=false"), Map.of()).get("read.only"));
    assertEquals("false", Settings.collect(DEF, List.of("--read-only", "false"), Map.of()).get("read.only"));
    assertEquals("TRUE", Settings.collect(DEF, List.of("--read-only", "TRUE"), Map.of()).get("read.only"));
  }

  @Test
  void aSwitchNeverSwallowsTheNextWordUnlessItIsTrueOrFalse() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.collect(DEF, List.of("--read-only", "list"), Map.of()));
    assertTrue(e.getMessage().contains("'list'"), e.getMessage());
  }

  @Test
  void aNonBooleanOptionStillNeedsItsValue() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.collect(DEF, List.of("--batch-size"), Map.of()));
    assertTrue(e.getMessage().contains("--batch-size needs a value"), e.getMessage());
  }

  @Test
  void aMistypedOptionAtTheEndIsReportedAsUnknownNotAsMissingItsValue() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.collect(DEF, List.of("--read-only", "--bach-size"), Map.of()));
    assertTrue(e.getMessage().contains("unknown option --bach-size (did you mean --batch-size?)"), e.getMessage());
  }

  @Test
  void helpIsAskedForWithTheShortOrTheLongFlag() {
    assertTrue(Settings.asksForHelp(List.of("-h")));
    assertTrue(Settings.asksForHelp(List.of("--batch-size", "3", "--help")));
    assertFalse(Settings.asksForHelp(List.of("--batch-size", "3")));
  }

  @Test
  void helpShowsSwitchesWithoutAValueAndOptionsWithTheirType() {
    String help = Settings.help("usage: x", DEF);
    assertTrue(help.contains("--read-only[=true|false]"), help);
    assertTrue(help.contains("--batch-size <int>"), help);
    assertTrue(help.contains("-h, --help"), help);
  }

  @Test
  void anUnknownEnvironmentVariableIsNamedWithTheNearestKey() {
    List<String> warnings = Settings.unknownEnvironment(DEF, Map.of("STREAMLEARN_BACH_SIZE", "3",
        "STREAMLEARN_BATCH_SIZE", "4", "STREAMLEARN_KAFKA_LINGER_MS", "5", "STREAMLEARN_JAVA_OPTS", "-Xmx1g",
        "STREAMLEARN_COMPLETELY_DIFFERENT", "x", "PATH", "/bin"));
    assertEquals(List.of(
        "ignoring environment variable STREAMLEARN_BACH_SIZE: not an option of this command"
            + " (did you mean STREAMLEARN_BATCH_SIZE?)",
        "ignoring environment variable STREAMLEARN_COMPLETELY_DIFFERENT: not an option of this command (see --help)"),
        warnings);
  }

  @Test
  void theNearestCandidateIsOfferedOnlyWhenItIsNearEnough() {
    assertEquals(Optional.of("train"), Settings.closest(List.of("train", "serve", "tail"), "trian"));
    assertEquals(Optional.empty(), Settings.closest(List.of("train", "serve"), "dashboard"));
  }
}
