package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private String output() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String errors() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private int run(String... args) {
    outBytes.reset();
    errBytes.reset();
    return Main.run(List.of(args), Map.of(), out, err);
  }

  @Test
  void noCommandPrintsUsageOnStandardErrorAndFails() {
    assertEquals(Main.USAGE, run());
    assertTrue(errors().contains("usage: streamlearn"), errors());
    assertEquals("", output());
  }

  @Test
  void helpAskedForGoesToStandardOutputAndSucceeds() {
    for (String help : List.of("--help", "-h", "help")) {
      assertEquals(Main.OK, run(help), help);
      assertTrue(output().contains("usage: streamlearn") && output().contains("  train "), output());
      assertEquals("", errors());
    }
  }

  @Test
  void commandHelpListsOptionsWithTheLongOrTheShortFlag() {
    for (String help : List.of("--help", "-h")) {
      assertEquals(Main.OK, run("train", help));
      assertTrue(output().contains("--layers"), output());
      assertTrue(output().contains("--batch-size"), output());
    }
    assertEquals(Main.OK, run("help", "serve"));
    assertTrue(output().contains("--alias"), output());
  }

  @Test
  void everyServiceCommandAndSubcommandAnswersHelp() {
    List<List<String>> commands = List.of(List.of("train"), List.of("serve"), List.of("evaluate"), List.of("registry"),
        List.of("dashboard"), List.of("models"), List.of("models", "list"), List.of("models", "show"),
        List.of("models", "promote"), List.of("models", "rollback"), List.of("models", "export"),
        List.of("models", "diff"), List.of("tail"), List.of("tail", "predictions"), List.of("tail", "metrics"));
    for (List<String> command : commands) {
      for (String help : List.of("-h", "--help")) {
        String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of(help))
            .toArray(String[]::new);
        assertEquals(Main.OK, run(args), command + " " + help + ": " + errors());
        assertTrue(output().contains("--bootstrap-servers"), command + " " + help + ": " + output());
        assertEquals("", errors(), command + " " + help);
      }
    }
  }

  @Test
  void versionPrintsTheProjectVersionAndTheBlasAndSucceeds() {
    for (String version : List.of("--version", "version")) {
      assertEquals(Main.OK, run(version), version);
      assertTrue(output().matches("streamlearn \\d+\\.\\d+\\.\\d+.*\\R"
          + "BLAS: (system|bundled \\(JavaCPP\\)) (OpenBLAS|MKL) \\S+ /\\S+, (\\d+ threads?|OpenBLAS's default threads)\\R"), output());
      assertTrue(!output().contains("unknown") && !output().contains("${"), output());
    }
  }

  @Test
  void aBogusLogFormatExitsWithUsageNamingTheFlag() {
    assertEquals(Main.USAGE, run("version", "--log-format", "bogus"));
    assertTrue(errors().startsWith("streamlearn: --log-format takes text or json, found 'bogus'"), errors());
    assertEquals("", output());
    outBytes.reset();
    errBytes.reset();
    assertEquals(Main.USAGE, Main.run(List.of("version"), Map.of(LogFormat.ENV, "bogus"), out, err));
    assertTrue(errors().startsWith("streamlearn: " + LogFormat.ENV + " takes text or json"), errors());
  }

  @Test
  void theLogFormatIsAGlobalOptionEveryCommandTakesAnywhere() {
    try {
      assertEquals(Main.OK, run("--log-format", "json", "version"), errors());
      assertTrue(output().startsWith("streamlearn "), output());
      assertEquals(Main.OK, run("train", "--log-format=text", "--help"), errors());
      assertTrue(output().contains(LogFormat.HELP), output());
    } finally {
      LogFormat.TEXT.apply("cli");
    }
  }

  @Test
  void theServicesLauncherHasNoToolCommands() {
    for (String tool : List.of("demo", "bench", "produce")) {
      assertEquals(Main.USAGE, run(tool, "--help"), tool);
      assertTrue(errors().contains("unknown command '" + tool + "'"), errors());
    }
  }

  @Test
  void aMistypedCommandGetsDidYouMean() {
    assertEquals(Main.USAGE, run("trian", "--layers", "dense(3)"));
    assertTrue(errors().contains("unknown command 'trian' (did you mean train?)"), errors());
    assertEquals("", output());
    assertEquals(Main.USAGE, run("models", "promot", "--version", "3"));
    assertTrue(errors().contains("unknown command 'promot' (did you mean promote?)"), errors());
    assertEquals(Main.USAGE, run("xyzzy"));
    assertTrue(errors().contains("unknown command 'xyzzy'") && !errors().contains("did you mean"), errors());
  }

  @Test
  void badOptionExitsWithUsageOnStandardErrorNamingTheKey() {
    assertEquals(Main.USAGE, run("serve", "--alias-name", "x"));
    assertTrue(errors().contains("--alias-name"), errors());
    assertEquals("", output());
  }

  @Test
  void aCanaryShareWithoutItsAliasOrAnAliasWithoutItsShareExitsWithUsageNamingTheFlag() {
    assertEquals(Main.USAGE, run("serve", "--canary-share", "0.1"));
    assertTrue(errors().contains("--canary-alias (STREAMLEARN_CANARY_ALIAS)"), errors());
    assertEquals(Main.USAGE, run("serve", "--canary-alias", "canary"));
    assertTrue(errors().contains("--canary-share (STREAMLEARN_CANARY_SHARE)"), errors());
    assertEquals("", output());
  }

  @Test
  void aBareSwitchNeedsNoValue() {
    // --read-only alone is accepted as a switch: the error is about the next, unknown flag
    assertEquals(Main.USAGE, run("dashboard", "--read-only", "--no-such-flag"));
    assertTrue(errors().contains("unknown option --no-such-flag"), errors());
  }

  @Test
  void newCommandsListTheirOptions() {
    assertEquals(Main.OK, run("tail", "--help"));
    assertTrue(output().contains("--from-beginning[=true|false]"), output());
    assertEquals(Main.OK, run("dashboard", "--help"));
    assertTrue(output().contains("--http-port"), output());
    assertEquals(Main.USAGE, run("tail", "models"));
    assertTrue(errors().contains("tail predictions|metrics"), errors());
    assertEquals(Main.USAGE, run("tail"));
    assertTrue(errors().contains("tail predictions|metrics"), errors());
  }

  @Test
  void aBadLayerOrOptimizerExitsWithUsageNamingTheFlagBeforeTouchingKafka() {
    // Nothing listens on port 1: a trainer that got as far as Kafka would hang, not fail in time.
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertEquals(Main.USAGE, run("train", "--bootstrap-servers", "127.0.0.1:1", "--layers", "dense(12,reluu)"));
      assertTrue(errors().contains("--layers") && errors().contains("reluu"), errors());
      assertEquals(Main.USAGE, run("train", "--bootstrap-servers", "127.0.0.1:1", "--optimizer", "adam(lr=oops)"));
      assertTrue(errors().contains("--optimizer") && errors().contains("oops"), errors());
      assertEquals(Main.USAGE, run("serve", "--bootstrap-servers", "127.0.0.1:1", "--alias", "a:b"));
      assertTrue(errors().contains("--alias (STREAMLEARN_ALIAS): invalid value 'a:b'"), errors());
    });
  }
}
