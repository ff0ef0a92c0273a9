package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void noCommandPrintsUsageAndFails() {
    assertEquals(Main.USAGE, Main.run(List.of(), Map.of(), out));
    assertTrue(output().contains("usage: streamlearn"), output());
  }

  @Test
  void commandHelpListsOptions() {
    assertEquals(Main.OK, Main.run(List.of("train", "--help"), Map.of(), out));
    assertTrue(output().contains("--layers"), output());
    assertTrue(output().contains("--batch-size"), output());
  }

  @Test
  void theServicesLauncherHasNoToolCommands() {
    for (String tool : List.of("demo", "bench", "produce")) {
      bytes.reset();
      assertEquals(Main.USAGE, Main.run(List.of(tool, "--help"), Map.of(), out), tool);
      assertTrue(output().contains("unknown command '" + tool + "'"), output());
    }
  }

  @Test
  void badOptionExitsWithUsageNamingTheKey() {
    assertEquals(Main.USAGE, Main.run(List.of("serve", "--alias-name", "x"), Map.of(), out));
    assertTrue(output().contains("--alias-name"), output());
    assertEquals(Main.USAGE, Main.run(List.of("nope"), Map.of(), out));
  }

  @Test
  void newCommandsListTheirOptions() {
    assertEquals(Main.OK, Main.run(List.of("tail", "--help"), Map.of(), out));
    assertTrue(output().contains("--from-beginning"), output());
    assertEquals(Main.OK, Main.run(List.of("dashboard", "--help"), Map.of(), out));
    assertTrue(output().contains("--http-port"), output());
    bytes.reset();
    assertEquals(Main.USAGE, Main.run(List.of("tail", "models"), Map.of(), out));
    assertTrue(output().contains("tail predictions|metrics"), output());
  }
}
