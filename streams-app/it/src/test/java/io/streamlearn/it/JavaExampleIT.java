package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java example (examples/java/FlightsJsonClient.java, run as a single-file program the way
 * its README says) against the real raw-JSON loop on an embedded broker: a trainer and inference
 * with {@code --input-format json}, the README's feature spec and label {@code delay>15}. Its
 * records arrive on the topic as the plain JSON it wrote, and each line it prints is a
 * prediction of a published version, with that version's class name as the predicted label.
 */
class JavaExampleIT {
  private static final Logger log = LoggerFactory.getLogger(JavaExampleIT.class);
  private static final Path EXAMPLE = Path.of("..", "..", "examples", "java", "FlightsJsonClient.java");
  /** What the example prints per record: id, model and version, label value, class, scores. */
  private static final Pattern LINE = Pattern.compile(
      "(java-it-\\d)\\s+flights v(\\d+)\\s+predicted (\\S+) \\(class (\\d+)\\)\\s+scores \\[([^,\\]]+), ([^\\]]+)\\]");
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void theExamplesPlainJsonFlightsAreScoredByARealVersionAndPrintedWithTheirLabelValue() throws Exception {
    assertTrue(Files.isRegularFile(EXAMPLE), "the example exists at " + EXAMPLE.toAbsolutePath());
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
         FlightsJsonLoop loop = FlightsJsonLoop.start(kafka)) {
      loop.trainFirstVersion(2_000, 2001);

      Path stderr = Files.createTempFile("java-example-", ".log");
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), EXAMPLE.toString(),
          "--bootstrap-servers", kafka.bootstrapServers(), "--topic", loop.topic(),
          "--predictions-topic", loop.predictionsTopic(), "--id-prefix", "java-it-", "--timeout", "90")
          .redirectError(stderr.toFile()).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the example finishes");
      assertEquals(0, p.exitValue(), "exit status; stdout: " + output + "; stderr: " + Files.readString(stderr));
      log.info("the example printed:\n{}", output);

      List<String> lines = output.lines().filter(l -> l.startsWith("java-it-")).sorted().toList();
      assertEquals(3, lines.size(), "one line per record: " + output);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = LINE.matcher(lines.get(i));
        assertTrue(m.matches(), "the line's form: " + lines.get(i));
        assertEquals("java-it-" + i, m.group(1));
        long version = Long.parseLong(m.group(2));
        FrozenPipeline pipeline = loop.pipeline(version);
        int predictedClass = Integer.parseInt(m.group(4));
        assertEquals(List.of("false", "true"), pipeline.classes(), "the version's classes of delay>15");
        assertEquals(pipeline.className(predictedClass), m.group(3), "the label value is the version's class name");
        float scoreFalse = Float.parseFloat(m.group(5));
        float scoreTrue = Float.parseFloat(m.group(6));
        assertEquals(1.0, scoreFalse + scoreTrue, 1e-4, "softmax scores: " + lines.get(i));
        assertEquals(scoreTrue > scoreFalse ? 1 : 0, predictedClass, "the class is the larger score's");

        // The record as the example wrote it: plain JSON, the bytes of vega-datasets' form.
        JsonNode record = json.readTree(loop.recordValue("java-it-" + i));
        assertTrue(record.isObject() && record.size() == 5, "the five Flights fields, unwrapped: " + record);
        assertTrue(record.get("date").asText().startsWith("2001/01/01 "), "" + record);
      }
    }
  }
}
