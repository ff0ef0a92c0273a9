package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.HttpKeys;
import io.streamlearn.dashboard.DashboardConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The registry commands' options and usage, without a broker. */
class RegistryCliTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private String errors() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void registryHelpListsTheTokenAndPolicyOptions() {
    assertEquals(Main.OK, Main.run(List.of("registry", "--help"), Map.of(), out, err));
    assertTrue(output().contains("--registry-token") && output().contains("STREAMLEARN_REGISTRY_TOKEN")
        && output().contains("--promotion-margin") && output().contains("--retention-keep-last"), output());
  }

  @Test
  void theTokenComesFromTheEnvironmentAndFlagsWin() {
    assertEquals("from-env", RegistryConfig.fromArgs(List.of(), Map.of("STREAMLEARN_REGISTRY_TOKEN", "from-env"))
        .getPassword(RegistryConfig.TOKEN).value());
    assertEquals("flag", RegistryConfig.fromArgs(List.of("--registry-token", "flag"),
        Map.of("STREAMLEARN_REGISTRY_TOKEN", "from-env")).getPassword(RegistryConfig.TOKEN).value());
    assertTrue(!RegistryConfig.fromArgs(List.of("--registry-token", "secret"), Map.of()).toString().contains("secret"),
        "the token is never printed");
  }

  @Test
  void theDashboardTakesTheRegistrysTokenOptionDeclaredOnce() {
    assertEquals(Main.OK, Main.run(List.of("dashboard", "--help"), Map.of(), out));
    assertTrue(output().contains("--registry-token") && output().contains("STREAMLEARN_REGISTRY_TOKEN"), output());
    assertEquals(Optional.of("from-env"), DashboardConfig.fromArgs(List.of(),
        Map.of("STREAMLEARN_REGISTRY_TOKEN", "from-env")).settings().token());
    assertEquals(Optional.of("flag"), DashboardConfig.fromArgs(List.of("--registry-token", "flag"),
        Map.of("STREAMLEARN_REGISTRY_TOKEN", "from-env")).settings().token());
    assertEquals(Optional.empty(), DashboardConfig.fromArgs(List.of(), Map.of()).settings().token(), "no token: writes are open");
    assertSame(RegistryConfig.DEF.configKeys().get(RegistryConfig.TOKEN),
        DashboardConfig.DEF.configKeys().get(HttpKeys.TOKEN), "one declaration, in HttpKeys");
  }

  @Test
  void modelsWithoutAnActionPrintsUsage() {
    assertEquals(Main.USAGE, Main.run(List.of("models"), Map.of(), out, err));
    assertTrue(errors().contains("list       every model"), errors());
    assertEquals(Main.OK, Main.run(List.of("models", "diff", "--help"), Map.of(), out, err));
    assertTrue(output().contains("--from") && output().contains("--float16"), output());
    assertEquals(Main.USAGE, Main.run(List.of("models", "list", "--verison", "3"), Map.of(), out, err));
    assertTrue(errors().contains("streamlearn models list: unknown option --verison (did you mean --version?)"),
        errors());
  }

  @Test
  void modelsJsonIsASwitch() {
    ModelsConfig config = ModelsConfig.fromArgs(List.of("--json", "--float16"), Map.of());
    assertTrue(config.getBoolean(ModelsConfig.JSON) && config.getBoolean(ModelsConfig.FLOAT16));
  }
}
