package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.app.LogContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** {@code --log-format}: taking it off the command line, and what the JSON format writes. */
class LogFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theJsonFormatWritesOneJsonObjectPerEventWithTheFieldsALogShipperNeeds() throws IOException {
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<JsonNode> lines = logInJson(() -> {
      Logger follower = LoggerFactory.getLogger("io.streamlearn.serve.RegistryFollower");
      MDC.put(LogContext.MODEL, "fraud");
      MDC.put(LogContext.VERSION, "7");
      try {
        follower.warn("refused {}: \"bad\"\nchecksum", "fraud:7",
            new IllegalStateException("checksum mismatch", new IOException("short read")));
      } finally {
        MDC.remove(LogContext.VERSION);
      }
      LoggerFactory.getLogger("io.streamlearn.train.Transactions").atInfo()
          .addKeyValue(LogContext.VERSION, 8L).log("model fraud: version {} published", 8);
      MDC.remove(LogContext.MODEL);
      LoggerFactory.getLogger("io.streamlearn.train.Trainer").debug("below the level: not written");
      LoggerFactory.getLogger("org.apache.kafka.clients.consumer.KafkaConsumer").warn("a Kafka warning");
    });

    assertEquals(3, lines.size(), lines.toString());
    JsonNode refused = lines.get(0);
    Instant time = Instant.parse(refused.get("time").asText());
    assertTrue(refused.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
        refused.toString());
    assertFalse(time.isBefore(before), time + " before " + before);
    assertEquals("WARN", refused.get("level").asText());
    assertEquals("io.streamlearn.serve.RegistryFollower", refused.get("logger").asText());
    assertEquals(Thread.currentThread().getName(), refused.get("thread").asText());
    assertEquals("refused fraud:7: \"bad\"\nchecksum", refused.get("message").asText());
    assertEquals("inference", refused.get("component").asText());
    assertEquals("fraud", refused.get("model").asText());
    assertEquals(7, refused.get("version").asLong());
    assertTrue(refused.get("version").isNumber(), refused.toString());
    String trace = refused.get("stack_trace").asText();
    assertTrue(trace.startsWith("java.lang.IllegalStateException: checksum mismatch"), trace);
    assertTrue(trace.contains("at io.streamlearn.cli.LogFormatTest") && trace.contains(
        "Caused by: java.io.IOException: short read"), trace);

    JsonNode published = lines.get(1);
    assertEquals("INFO", published.get("level").asText());
    assertEquals("trainer", published.get("component").asText());
    assertEquals("model fraud: version 8 published", published.get("message").asText());
    assertEquals("fraud", published.get("model").asText());
    assertEquals(8, published.get("version").asLong());
    assertFalse(published.has("stack_trace"), published.toString());

    JsonNode kafka = lines.get(2);
    assertEquals("org.apache.kafka.clients.consumer.KafkaConsumer", kafka.get("logger").asText());
    assertEquals("trainer", kafka.get("component").asText(), "a line no package places is the process's");
    assertFalse(kafka.has("model") || kafka.has("version"), kafka.toString());
  }

  @Test
  void theOptionIsTakenOffTheCommandLineWhereverItStandsAndTheEnvironmentIsTheFallback() {
    LogFormat.Choice spaced = LogFormat.take(List.of("train", "--log-format", "json", "--layers", "dense(3)"),
        Map.of());
    assertEquals(LogFormat.JSON, spaced.format());
    assertEquals(List.of("train", "--layers", "dense(3)"), spaced.rest());
    assertEquals(LogFormat.TEXT, LogFormat.take(List.of("--log-format=TEXT", "version"),
        Map.of(LogFormat.ENV, "json")).format(), "the flag wins over the environment");
    assertEquals(LogFormat.JSON, LogFormat.take(List.of("version"), Map.of(LogFormat.ENV, "json")).format());
    assertEquals(LogFormat.TEXT, LogFormat.take(List.of("version"), Map.of()).format());

    UsageException bogus = assertThrows(UsageException.class,
        () -> LogFormat.take(List.of("serve", "--log-format", "xml"), Map.of()));
    assertEquals("--log-format takes text or json, found 'xml'", bogus.getMessage());
    UsageException missing = assertThrows(UsageException.class,
        () -> LogFormat.take(List.of("serve", "--log-format", "--alias", "live"), Map.of()));
    assertTrue(missing.getMessage().startsWith("--log-format needs a value"), missing.getMessage());
    UsageException fromEnv = assertThrows(UsageException.class,
        () -> LogFormat.take(List.of("serve"), Map.of(LogFormat.ENV, "yaml")));
    assertTrue(fromEnv.getMessage().startsWith(LogFormat.ENV), fromEnv.getMessage());
  }

  @Test
  void aCommandNamesTheComponentOfLinesNoPackagePlaces() {
    assertEquals("trainer", Main.component("train"));
    assertEquals("inference", Main.component("serve"));
    assertEquals("demo", Main.component("demo"));
    assertEquals("cli", Main.component("models"));
  }

  /**
   * Runs {@code body} with this JVM's logging in the JSON format as the train command sets it up,
   * and returns the lines written to standard error, each parsed; text again afterwards.
   */
  private static List<JsonNode> logInJson(Runnable body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      LogFormat.JSON.apply(Main.component("train"));
      body.run();
    } finally {
      System.setErr(stderr);
      LogFormat.TEXT.apply("cli");
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
      JsonNode node = JSON.readTree(line);
      assertTrue(node.isObject(), line);
      lines.add(node);
    }
    return lines;
  }
}
