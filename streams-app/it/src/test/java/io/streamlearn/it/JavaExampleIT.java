package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The Java example (examples/java/FlightsJsonClient.java, run as a single-file program the way
 * its comment says) on an embedded broker: its records arrive on the topic as the plain JSON it
 * wrote, byte for byte, and it prints the Predictions keyed by its ids, with their label values.
 *
 * <p>The predictions here come from a stand-in that answers each JSON record with a Prediction,
 * so the test checks the example's side of the wire: the raw JSON it sends and the Prediction
 * it reads. Run against the real loop ({@code train}/{@code serve --input-format json}), the
 * README's commands do the same end to end.
 */
class JavaExampleIT {
  private static final Path EXAMPLE = Path.of("..", "..", "examples", "java", "FlightsJsonClient.java");
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void theExampleSendsPlainJsonAndPrintsEachPredictionWithItsLabelValue() throws Exception {
    assertTrue(Files.isRegularFile(EXAMPLE), "the example exists at " + EXAMPLE.toAbsolutePath());
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopic("flights", 2, Map.of());
      kafka.createTopic("predictions", 2, Map.of());
      try (JsonStandIn standIn = JsonStandIn.start(kafka.bootstrapServers(), "flights", "predictions")) {
        Path log = Files.createTempFile("java-example-", ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), EXAMPLE.toString(),
            "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "flights",
            "--predictions-topic", "predictions", "--id-prefix", "java-it-", "--timeout", "90")
            .redirectError(log.toFile()).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the example finishes");
        assertEquals(0, p.exitValue(), "exit status; stdout: " + output + "; stderr: " + Files.readString(log));

        List<String> lines = output.lines().filter(l -> l.startsWith("java-it-")).sorted().toList();
        assertEquals(3, lines.size(), "one line per record: " + output);
        assertTrue(lines.get(0).matches("java-it-0\\s+flights v1\\s+predicted true \\(class 1\\).*"), lines.get(0));
        assertTrue(lines.get(1).matches("java-it-1\\s+flights v1\\s+predicted false \\(class 0\\).*"), lines.get(1));

        List<String> keys = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : standIn.seen()) {
          String text = new String(r.value(), StandardCharsets.UTF_8);
          assertTrue(text.startsWith("{\"date\": \"2001/01/01 "), "plain JSON as written: " + text);
          assertEquals(r.key().equals("java-it-0"), json.readTree(text).get("delayed").asBoolean());
          keys.add(r.key());
        }
        keys.sort(null);
        assertEquals(List.of("java-it-0", "java-it-1", "java-it-2"), keys);
      }
    }
  }
}
