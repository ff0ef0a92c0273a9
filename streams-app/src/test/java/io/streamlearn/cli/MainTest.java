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

  @Test
  void newCommandsListTheirOptionsAndFailFastNamingTheKey() {
    assertEquals(Main.OK, Main.run(List.of("produce", "--help"), Map.of(), out));
    assertTrue(output().contains("--source") && output().contains("STREAMLEARN_RATE")
        && output().contains("--kafka-property"), output());
    assertEquals(Main.OK, Main.run(List.of("tail", "--help"), Map.of(), out));
    assertTrue(output().contains("--from-beginning"), output());
    assertEquals(Main.OK, Main.run(List.of("dashboard", "--help"), Map.of(), out));
    assertTrue(output().contains("--http-port"), output());
    assertEquals(Main.OK, Main.run(List.of("demo", "--help"), Map.of(), out));
    assertTrue(output().contains("--dataset") && output().contains("fashion-mnist"), output());
    bytes.reset();
    assertEquals(Main.USAGE, Main.run(List.of("produce", "--sorce", "csv"), Map.of(), out));
    assertTrue(output().contains("--sorce") && output().contains("did you mean --source"), output());
    bytes.reset();
    assertEquals(Main.USAGE, Main.run(List.of("produce", "--rate", "-3"), Map.of(), out));
    assertTrue(output().contains("rate"), output());
    bytes.reset();
    assertEquals(Main.USAGE, Main.run(List.of("demo", "--dataset", "mnist"), Map.of(), out));
    assertTrue(output().contains("dataset"), output());
    bytes.reset();
    assertEquals(Main.USAGE, Main.run(List.of("tail", "models"), Map.of(), out));
    assertTrue(output().contains("tail predictions|metrics"), output());
  }
}
