package io.streamlearn.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.cli.Main;
import io.streamlearn.demo.DemoConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolsMainTest {
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
    return ToolsMain.run(List.of(args), Map.of(), out, err);
  }

  @Test
  void theToolsLauncherListsToolsAndServices() {
    assertEquals(Main.OK, run("--help"));
    for (String command : List.of("demo", "bench", "produce", "train", "serve", "models", "tail", "version")) {
      assertTrue(output().contains("  " + command + " "), command + " in " + output());
    }
  }

  @Test
  void toolCommandsTakeTheLogFormatLikeTheServicesAndRefuseABogusOne() {
    assertEquals(Main.USAGE, run("demo", "--duration", "1", "--log-format", "bogus"));
    assertTrue(errors().contains("--log-format takes text or json, found 'bogus'"), errors());
    assertEquals("", output());
    assertEquals(Main.OK, run("bench", "--log-format", "text", "--help"));
    assertTrue(output().contains("bench engine"), output());
  }

  @Test
  void theDemoListensOnLoopbackUnlessTheHttpHostSaysOtherwise() {
    assertEquals("127.0.0.1", DemoConfig.fromArgs(List.of(), Map.of()).settings().httpHost());
    assertEquals("0.0.0.0", DemoConfig.fromArgs(List.of("--http-host", "0.0.0.0"), Map.of()).settings().httpHost());
    assertEquals("::1", DemoConfig.fromArgs(List.of(), Map.of("STREAMLEARN_HTTP_HOST", "::1")).settings().httpHost());
    assertEquals(Main.OK, run("demo", "--help"));
    assertTrue(output().contains("--http-host"), output());
  }

  @Test
  void toolCommandsListTheirOptionsAndFailFastNamingTheKey() {
    assertEquals(Main.OK, run("demo", "--help"));
    assertTrue(output().contains("--duration") && output().contains("--summary-json"), output());
    assertTrue(output().contains("--dataset") && output().contains("fashion-mnist"), output());
    assertEquals(Main.OK, run("produce", "-h"));
    assertTrue(output().contains("--source") && output().contains("STREAMLEARN_RATE")
        && output().contains("--kafka-property"), output());
    assertEquals(Main.USAGE, run("produce", "--sorce", "csv"));
    assertTrue(errors().contains("--sorce") && errors().contains("did you mean --source"), errors());
    assertEquals(Main.USAGE, run("produce", "--rate", "-3"));
    assertTrue(errors().contains("rate"), errors());
    assertEquals(Main.USAGE, run("demo", "--dataset", "mnist"));
    assertTrue(errors().contains("dataset"), errors());
    assertEquals(Main.USAGE, run("bench", "nothing"));
    assertTrue(errors().contains("bench engine|onnx|features|inference|registry|trainer|group-efficiency|raw-trainer"
        + "|sparse"), errors());
    assertEquals("", output());
  }

  @Test
  void everyBenchListsItsOptionsWithDefaults() {
    Map<String, List<String>> options = Map.of(
        "engine", List.of("--repeats <int>", "--seeds <string>", "--no-torch[=true|false]", "default: 1,2,3,4"),
        "inference", List.of("--events <int>", "--steady-seconds <int>", "--rounds <int>", "default: 60000"),
        "features", List.of("--records <int>", "--batch <int>", "--no-sklearn[=true|false]", "default: 2000000"),
        "registry", List.of("--moves <int>", "default: 40"),
        "trainer", List.of("--events <int>", "--repeat <int>", "default: 600000", "--group-members <int>"),
        "group-efficiency", List.of("--members <list>", "--combines <list>", "--seeds <list>", "default: [1, 2, 4]"));
    options.forEach((bench, expected) -> {
      for (String help : List.of("-h", "--help")) {
        assertEquals(Main.OK, run("bench", bench, help), bench + ": " + errors());
        for (String text : expected) {
          assertTrue(output().contains(text), bench + " " + help + " lists " + text + ": " + output());
        }
      }
    });
    assertEquals(Main.OK, run("bench", "--help"));
    assertTrue(output().contains("  engine ") && output().contains("  trainer "), output());
  }

  @Test
  void benchesRefuseMistakesBeforeStartingAnything() {
    assertEquals(Main.USAGE, run("bench", "engin"));
    assertTrue(errors().contains("did you mean engine?"), errors());
    assertEquals(Main.USAGE, run("bench", "engine", "--repeat", "2"));
    assertTrue(errors().contains("unknown option --repeat (did you mean --repeats?)"), errors());
    assertEquals(Main.USAGE, run("bench", "engine", "--seeds", "1,two"));
    assertTrue(errors().contains("seeds") && errors().contains("comma-separated integers"), errors());
    assertEquals(Main.USAGE, run("bench", "inference", "--evnts", "10"));
    assertTrue(errors().contains("did you mean --events?"), errors());
    assertEquals(Main.USAGE, run("bench", "registry", "--moves", "0"));
    assertTrue(errors().startsWith("streamlearn bench registry: ") && errors().contains("moves"), errors());
    assertEquals(Main.USAGE, run("bench", "trainer", "--events", "5"));
    assertTrue(errors().contains("events"), errors());
    assertEquals("", output());
  }

  @Test
  void aMistypedToolCommandGetsDidYouMean() {
    assertEquals(Main.USAGE, run("prodcue"));
    assertTrue(errors().contains("did you mean produce?"), errors());
  }
}
