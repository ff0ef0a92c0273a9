package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
      List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      Thread standIn = new Thread(() -> answer(kafka.bootstrapServers(), seen, stop), "stand-in-inference");
      standIn.start();
      try {
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
        for (ConsumerRecord<String, byte[]> r : seen) {
          String text = new String(r.value(), StandardCharsets.UTF_8);
          assertTrue(text.startsWith("{\"date\": \"2001/01/01 "), "plain JSON as written: " + text);
          assertEquals(r.key().equals("java-it-0"), json.readTree(text).get("delayed").asBoolean());
          keys.add(r.key());
        }
        keys.sort(null);
        assertEquals(List.of("java-it-0", "java-it-1", "java-it-2"), keys);
      } finally {
        stop.set(true);
        standIn.join(30_000);
      }
    }
  }

  /** Answers each JSON record on "flights" with a Prediction that calls it by its "delayed" field. */
  private void answer(String bootstrap, List<ConsumerRecord<String, byte[]>> seen, AtomicBoolean stop) {
    AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
    try (KafkaConsumer<String, byte[]> in = new KafkaConsumer<>(Map.of(
             ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "stand-in",
             ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
             new StringDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<String, byte[]> out = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
             new StringSerializer(), new ByteArraySerializer())) {
      in.subscribe(List.of("flights"));
      while (!stop.get()) {
        for (ConsumerRecord<String, byte[]> r : in.poll(Duration.ofMillis(200))) {
          seen.add(r);
          JsonNode record = json.readTree(r.value());
          boolean delayed = record.path("delayed").asBoolean();
          Prediction p = Prediction.newBuilder().setId(r.key()).setEventTime(r.timestamp()).setModel("flights")
              .setModelVersion(1).setPredictedClass(delayed ? 1 : 0)
              .setPredictedLabel(delayed ? "true" : "false")
              .setScores(delayed ? List.of(0.2f, 0.8f) : List.of(0.9f, 0.1f)).setLabel(null)
              .setLatencyMicros(0).build();
          out.send(new ProducerRecord<>("predictions", r.key(), serde.serialize("predictions", p)));
        }
        out.flush();
      }
    } catch (Exception e) {
      throw new IllegalStateException("the stand-in failed", e);
    }
  }
}
