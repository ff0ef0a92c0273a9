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
    assertEquals(Main.OK, Main.run(List.of("demo", "--help"), Map.of(), out));
    assertTrue(output().contains("--duration"), output());
    assertTrue(output().contains("--summary-json"), output());
  }

  @Test
  void badOptionExitsWithUsageNamingTheKey() {
    assertEquals(Main.USAGE, Main.run(List.of("serve", "--alias-name", "x"), Map.of(), out));
    assertTrue(output().contains("--alias-name"), output());
    assertEquals(Main.USAGE, Main.run(List.of("nope"), Map.of(), out));
  }
}
