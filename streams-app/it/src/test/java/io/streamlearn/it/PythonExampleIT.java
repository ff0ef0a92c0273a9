package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.GaussianBlobs;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Python example (examples/python, confluent-kafka and avro from Debian) against the loop on
 * an embedded broker: its LabeledEvent, written in the single-object encoding by Python, is
 * decoded by the Java trainer and inference, and the Prediction comes back to Python; and its
 * {@code --json} path, one plain JSON flight scored by the real raw-JSON loop the README starts
 * ({@code --input-format json}, its feature spec, label {@code delay>15}). Skipped where
 * /usr/bin/python3 lacks those modules.
 */
class PythonExampleIT {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path SCRIPT = Path.of("..", "..", "examples", "python", "streamlearn_client.py");

  @Test
  void aLabeledEventFromPythonComesBackAsAPrediction() throws Exception {
    Assumptions.assumeTrue(pythonHasModules(),
        "/usr/bin/python3 lacks confluent_kafka or avro (apt-get install python3-confluent-kafka "
            + "python3-avro); skipping the Python example test");
    assertTrue(Files.isRegularFile(SCRIPT), "the example exists at " + SCRIPT.toAbsolutePath());
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LoopHarness h = new LoopHarness(kafka, "python");
      GaussianBlobs stream = new GaussianBlobs(4, 8, 5, 0.0);
      Trainer trainer = new Trainer(h.trainerConfig(8, "dense(16,relu) > dense(4,softmax)", Map.of(
          TrainerConfig.PUBLISH_EVERY_BATCHES, "10", TrainerConfig.PUBLISH_EVERY_MS, "1000")));
      Thread trainerThread = new Thread(trainer, "python-it-trainer");
      try (InferenceService inference = new InferenceService(h.inferenceConfig(Map.of()))) {
        trainerThread.start();
        inference.start();
        h.produce(stream, 0, 3_000, 0, 3_000);
        LoopHarness.await(() -> inference.served().current() != null, Duration.ofSeconds(90),
            () -> "inference serves a first version");

        Example e = stream.next();
        StringJoiner features = new StringJoiner(",");
        for (float v : e.features()) {
          features.add(Float.toString(v));
        }
        String id = "py-" + UUID.randomUUID().toString().substring(0, 8);
        Path log = Files.createTempFile("python-example-", ".log");
        Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(),
            "--bootstrap-servers", kafka.bootstrapServers(),
            "--labeled-topic", h.topic(CommonKeys.LABELED_TOPIC),
            "--predictions-topic", h.topic(CommonKeys.PREDICTIONS_TOPIC),
            "--id", id, "--features=" + features, "--label", String.valueOf(e.label()),
            "--timeout", "90")
            .redirectError(log.toFile()).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example finishes");
        assertEquals(0, p.exitValue(), "exit status; stdout: " + output + "; stderr: " + Files.readString(log));

        JsonNode prediction = new ObjectMapper().readTree(output.strip());
        assertEquals(id, prediction.get("id").asText(), "prediction id: " + output);
        assertEquals("python", prediction.get("model").asText(), "model: " + output);
        assertTrue(prediction.get("modelVersion").asLong() >= 1, "a version made it: " + output);
        assertEquals(e.label(), prediction.get("label").asInt(), "the true label travels: " + output);
        assertEquals(4, prediction.get("scores").size(), "4 class scores: " + output);
        int predicted = prediction.get("predictedClass").asInt();
        assertTrue(predicted >= 0 && predicted < 4, "a class index: " + output);

        // And Java reads what Python wrote, bit for bit the same event.
        LabeledEvent sent = readLabeled(kafka.bootstrapServers(), h.topic(CommonKeys.LABELED_TOPIC), id);
        List<Float> expected = new ArrayList<>();
        for (float v : e.features()) {
          expected.add(v);
        }
        assertEquals(expected, sent.getFeatures(), "features as Java decodes them");
        assertEquals(e.label(), sent.getLabel(), "label as Java decodes it");
      } finally {
        trainer.stop();
        trainer.awaitStopped(Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void aPlainJsonRecordFromPythonIsSentAsItIsAndARealVersionPredictsItsLabel() throws Exception {
    Assumptions.assumeTrue(pythonHasModules(),
        "/usr/bin/python3 lacks confluent_kafka or avro (apt-get install python3-confluent-kafka "
            + "python3-avro); skipping the Python example test");
    String record = "{\"date\": \"2001/01/01 00:47\", \"delay\": 66, \"distance\": 1750, "
        + "\"origin\": \"DTW\", \"destination\": \"LAS\"}";
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
         FlightsJsonLoop loop = FlightsJsonLoop.start(kafka)) {
      loop.trainFirstVersion(2_000, 2001);
      Path log = Files.createTempFile("python-example-json-", ".log");
      Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(),
          "--bootstrap-servers", kafka.bootstrapServers(), "--topic", loop.topic(),
          "--predictions-topic", loop.predictionsTopic(), "--id", "py-json-1", "--json", record, "--timeout", "90")
          .redirectError(log.toFile()).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example finishes");
      assertEquals(0, p.exitValue(), "exit status; stdout: " + output + "; stderr: " + Files.readString(log));

      JsonNode prediction = new ObjectMapper().readTree(output.strip());
      assertEquals("py-json-1", prediction.get("id").asText(), output);
      assertEquals(FlightsJsonLoop.MODEL, prediction.get("model").asText(), output);
      long version = prediction.get("modelVersion").asLong();
      FrozenPipeline pipeline = loop.pipeline(version);
      assertEquals(List.of("false", "true"), pipeline.classes(), "the version's classes of delay>15");
      int predicted = prediction.get("predictedClass").asInt();
      assertEquals(pipeline.className(predicted), prediction.get("predictedLabel").asText(),
          "the label value is the scoring version's class name: " + output);
      assertEquals(2, prediction.get("scores").size(), "two class scores: " + output);
      assertEquals(1, prediction.get("label").asInt(), "the record's own label, delay 66 > 15: " + output);
      assertEquals(record, loop.recordValue("py-json-1"), "the record as Python was given it");
    }
  }

  private static boolean pythonHasModules() throws Exception {
    if (!Files.isExecutable(PYTHON)) {
      return false;
    }
    Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import confluent_kafka, avro.io")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  private static LabeledEvent readLabeled(String bootstrap, String topic, String id) {
    AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "python-it-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (id.equals(r.key())) {
            return serde.deserialize(r.topic(), r.value());
          }
        }
      }
    }
    throw new AssertionError("event " + id + " not found on " + topic);
  }
}
