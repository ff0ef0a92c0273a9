package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.config.RawInputKeys;
import io.streamlearn.train.TrainerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code train --group-member}: what a trainer group cannot do is refused on the command line,
 * with the usage exit code and a message naming the flag, before anything touches Kafka (nothing
 * listens on port 1: a trainer that got that far would hang, not fail in time).
 */
class TrainGroupOptionsTest {
  private static final String[] RAW = {"--input-format", "json", "--feature-spec",
      "distance:numeric, origin:category(16)", "--label-field", "delay>15", "--loss", "binary_cross_entropy",
      "--layers", "dense(8,relu) > dense(1,sigmoid)"};
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private String errors() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private int train(String... flags) {
    outBytes.reset();
    errBytes.reset();
    List<String> args = new ArrayList<>(List.of("train", "--bootstrap-servers", "127.0.0.1:1"));
    args.addAll(List.of(flags));
    return Main.run(args, Map.of(), new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  }

  @Test
  void aGroupMemberOverRawInputExitsWithUsageNamingTheMemberFlagAndTheInputFormat() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      List<String> flags = new ArrayList<>(List.of("--group-member", "a"));
      flags.addAll(List.of(RAW));
      assertEquals(Main.USAGE, train(flags.toArray(String[]::new)), errors());
      assertTrue(errors().contains("--group-member") && errors().contains("--input-format"), errors());
    });
  }

  @Test
  void aGroupMemberWithDelayedLabelsExitsWithUsageNamingTheMemberFlagAndDelayedLabels() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertEquals(Main.USAGE, train("--group-member", "a", "--delayed-labels", "true"), errors());
      assertTrue(errors().contains("--group-member") && errors().contains("delayed labels"), errors());
    });
  }

  @Test
  void aMemberIdOtherThanLettersDigitsDotsDashesAndUnderscoresExitsWithUsageNamingIt() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertEquals(Main.USAGE, train("--group-member", "a/b"), errors());
      assertTrue(errors().contains("--group-member") && errors().contains("a/b"), errors());
    });
  }

  @Test
  void theSameRawInputAndDelayedLabelsWithoutAGroupAreAccepted() {
    // the control: the refusals above are the group's, not a mistake in the other flags
    assertEquals("json", TrainerConfig.fromArgs(List.of(RAW), Map.of()).getString(RawInputKeys.INPUT_FORMAT));
    assertTrue(TrainerConfig.fromArgs(List.of("--delayed-labels", "true"), Map.of())
        .getBoolean(TrainerConfig.DELAYED_LABELS));
  }
}
