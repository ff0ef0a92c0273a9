package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.tools.ToolsMain;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import org.yaml.snakeyaml.Yaml;

/**
 * The loop against the compose stack's broker image ({@code apache/kafka}, the tag taken from
 * compose/docker-compose.yml) in a container: produce with the CLI, train, serve, and every event
 * gets its prediction. Skipped, saying so, where Docker is not available.
 */
class ComposeKafkaContainerIT {
  @Test
  @SuppressWarnings("unchecked")
  void theLoopRunsAgainstTheComposeBrokerImage() throws Exception {
    Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
        "Docker is not available here; skipping the Testcontainers test of the apache/kafka image");
    Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("..", "..", "compose", "docker-compose.yml")));
    String image = String.valueOf(((Map<String, Map<String, Object>>) compose.get("services")).get("kafka").get("image"));
    try (KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(image))) {
      kafka.start();
      Map<String, String> common = new HashMap<>();
      common.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.getBootstrapServers());
      common.put(CommonKeys.MODEL_NAME, "container");
      common.put(CommonKeys.REPLICATION_FACTOR, "1");
      Map<String, String> train = new HashMap<>(common);
      train.put(TrainerConfig.FEATURES, "16");
      train.put(TrainerConfig.LAYERS, "dense(32,relu) > dense(10,softmax)");
      train.put(TrainerConfig.PUBLISH_EVERY_BATCHES, "10");
      train.put(TrainerConfig.PUBLISH_EVERY_MS, "1000");
      Map<String, String> serve = new HashMap<>(common);
      serve.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("container-it-").toString());
      Trainer trainer = new Trainer(new TrainerConfig(train));
      Thread trainerThread = new Thread(trainer, "container-it-trainer");
      try (InferenceService inference = new InferenceService(new InferenceConfig(serve))) {
        trainerThread.start();
        inference.start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(Main.OK, ToolsMain.run(List.of("produce", "--bootstrap-servers", kafka.getBootstrapServers(),
            "--count", "3000", "--rate", "2000", "--unlabeled-share", "0.2", "--id-prefix", "c-"), Map.of(),
            new PrintStream(bytes, true, StandardCharsets.UTF_8)), bytes.toString(StandardCharsets.UTF_8));
        Set<String> predicted = new HashSet<>();
        AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "container-it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
            new StringDeserializer(), new ByteArrayDeserializer())) {
          consumer.subscribe(List.of(io.streamlearn.schema.Topics.PREDICTIONS));
          long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
          while (predicted.size() < 3000 && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> predicted.add(serde.deserialize(r.topic(), r.value()).getId()));
          }
        }
        assertEquals(3000, predicted.size(), "every produced event has a prediction");
        assertTrue(trainer.status().publishedVersions() >= 1, "the trainer published: " + trainer.status());
      } finally {
        trainer.stop();
        trainer.awaitStopped(Duration.ofSeconds(30));
      }
    }
  }
}
