package io.streamlearn.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolsMainTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theToolsLauncherListsToolsAndServices() {
    assertEquals(Main.OK, ToolsMain.run(List.of("--help"), Map.of(), out));
    for (String command : List.of("demo", "bench", "produce", "train", "serve", "models", "tail")) {
      assertTrue(output().contains("  " + command + " "), command + " in " + output());
    }
  }

  @Test
  void toolCommandsListTheirOptionsAndFailFastNamingTheKey() {
    assertEquals(Main.OK, ToolsMain.run(List.of("demo", "--help"), Map.of(), out));
    assertTrue(output().contains("--duration") && output().contains("--summary-json"), output());
    assertTrue(output().contains("--dataset") && output().contains("fashion-mnist"), output());
    assertEquals(Main.OK, ToolsMain.run(List.of("produce", "--help"), Map.of(), out));
    assertTrue(output().contains("--source") && output().contains("STREAMLEARN_RATE")
        && output().contains("--kafka-property"), output());
    bytes.reset();
    assertEquals(Main.USAGE, ToolsMain.run(List.of("produce", "--sorce", "csv"), Map.of(), out));
    assertTrue(output().contains("--sorce") && output().contains("did you mean --source"), output());
    bytes.reset();
    assertEquals(Main.USAGE, ToolsMain.run(List.of("produce", "--rate", "-3"), Map.of(), out));
    assertTrue(output().contains("rate"), output());
    bytes.reset();
    assertEquals(Main.USAGE, ToolsMain.run(List.of("demo", "--dataset", "mnist"), Map.of(), out));
    assertTrue(output().contains("dataset"), output());
    bytes.reset();
    assertEquals(Main.USAGE, ToolsMain.run(List.of("bench", "nothing"), Map.of(), out));
    assertTrue(output().contains("bench engine|inference|registry|trainer"), output());
  }
}
