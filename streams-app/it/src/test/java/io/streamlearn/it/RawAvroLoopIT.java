package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.app.DeadLetters;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.user.SingleObjectDecoder;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The loop over the users' own Avro records (single-object encoding, the writer schema from an
 * {@code .avsc} file given by flag, nested fields read by dotted path): one prediction per record,
 * bad records dead-lettered by both apps, naming the field where one is at fault.
 */
class RawAvroLoopIT {
  private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Flight\",\"namespace\":\"example\",\"fields\":["
      + "{\"name\":\"id\",\"type\":\"string\"},"
      + "{\"name\":\"distance\",\"type\":[\"null\",\"int\"],\"default\":null},"
      + "{\"name\":\"route\",\"type\":{\"type\":\"record\",\"name\":\"Route\",\"fields\":["
      + "{\"name\":\"origin\",\"type\":\"string\"},{\"name\":\"dest\",\"type\":\"string\"}]}},"
      + "{\"name\":\"delay\",\"type\":\"int\"}]}";
  private static final String[] AIRPORTS = {"DTW", "LAS", "ORD", "SFO", "JFK"};
  private final AvroSerde<Prediction> predictionSerde = AvroSerde.of(Prediction.class);

  @Test
  void avroRecordsAreLearnedAndScoredThroughThePipeline() throws Exception {
    Path avsc = Files.createTempFile("flight", ".avsc");
    Files.writeString(avsc, SCHEMA, StandardCharsets.UTF_8);
    Schema schema = new Schema.Parser().parse(SCHEMA);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      LoopHarness h = new LoopHarness(kafka, "avro-flights");
      h.createTopics();
      String topic = h.topic(CommonKeys.LABELED_TOPIC);
      Map<String, String> raw = Map.of(RawInputKeys.INPUT_FORMAT, "avro", RawInputKeys.AVRO_SCHEMA, avsc.toString(),
          RawInputKeys.ID_FIELD, "id");
      Map<String, String> trainerExtra = new HashMap<>(raw);
      trainerExtra.putAll(Map.of(
          RawInputKeys.FEATURE_SPEC, "distance:numeric, route.origin:category(8), route.dest:hash(64)",
          RawInputKeys.LABEL_FIELD, "delay>15",
          TrainerConfig.LOSS, "binary_cross_entropy",
          TrainerConfig.BATCH_SIZE, "32",
          TrainerConfig.PUBLISH_EVERY_BATCHES, "10",
          TrainerConfig.GATE_MARGIN, "1",
          TrainerConfig.DRIFT_DETECTOR, "none"));
      Trainer trainer = new Trainer(h.trainerConfig(0, "dense(8,relu) > dense(1,sigmoid)", trainerExtra));
      Map<String, String> inferenceExtra = new HashMap<>(raw);
      inferenceExtra.put(InferenceConfig.INPUT_TOPICS, topic);

      Set<String> valid = new HashSet<>();
      Map<String, String> badField = new HashMap<>();
      Map<String, Integer> predicted = new HashMap<>();
      Map<String, Integer> deadByApp = new HashMap<>();
      Thread t = new Thread(trainer, "raw-avro-trainer");
      try (InferenceService inference = new InferenceService(h.inferenceConfig(inferenceExtra));
           KafkaConsumer<String, byte[]> predictions = h.predictionsConsumer();
           KafkaConsumer<String, byte[]> dead = h.committedReader(h.topic(CommonKeys.DEAD_LETTER_TOPIC))) {
        t.start();
        inference.start();
        Random random = new Random(5);
        try (KafkaProducer<String, byte[]> producer =
                 new KafkaProducer<>(h.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
          for (int i = 0; i < 2_000; i++) {
            String id = "av-" + i;
            GenericRecord route = new GenericData.Record(schema.getField("route").schema());
            int o = random.nextInt(AIRPORTS.length);
            route.put("origin", AIRPORTS[o]);
            route.put("dest", AIRPORTS[random.nextInt(AIRPORTS.length)]);
            GenericRecord flight = new GenericData.Record(schema);
            flight.put("id", id);
            flight.put("distance", 100 + random.nextInt(2000));
            flight.put("route", route);
            flight.put("delay", random.nextDouble() < 0.1 + 0.15 * o ? 30 : 0);
            byte[] value = SingleObjectDecoder.encode(flight);
            if (i % 100 == 50) {
              boolean truncated = (i / 100) % 2 == 0;
              if (truncated) {
                value = Arrays.copyOf(value, 12);
              } else {
                flight.put("distance", null);
                value = SingleObjectDecoder.encode(flight);
              }
              badField.put(id, truncated ? "" : "distance");
            } else {
              valid.add(id);
            }
            producer.send(new ProducerRecord<>(topic, id, value));
          }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        int deadSeen = 0;
        while (System.nanoTime() < deadline && (predicted.size() < valid.size() || deadSeen < 2 * badField.size())) {
          for (ConsumerRecord<String, byte[]> r : predictions.poll(Duration.ofMillis(100))) {
            predicted.merge(predictionSerde.deserialize(r.topic(), r.value()).getId(), 1, Integer::sum);
          }
          for (ConsumerRecord<String, byte[]> r : dead.poll(Duration.ofMillis(100))) {
            String expected = badField.get(r.key());
            assertTrue(expected != null, "only bad records are dead-lettered, found " + r.key() + ": "
                + DeadLetters.header(r.headers(), DeadLetters.REASON));
            assertEquals(expected.isEmpty() ? null : expected, DeadLetters.header(r.headers(), DeadLetters.FIELD),
                "the field named for " + r.key() + " (" + DeadLetters.header(r.headers(), DeadLetters.REASON) + ")");
            deadByApp.merge(DeadLetters.header(r.headers(), DeadLetters.APP), 1, Integer::sum);
            deadSeen++;
          }
        }
        trainer.stop();
        assertTrue(trainer.awaitStopped(Duration.ofSeconds(60)), "trainer stops");
        assertTrue(inference.served().current().pipeline().vocabulary("route.origin").size() >= AIRPORTS.length,
            "the served version's vocabulary of the nested field");
      }
      assertEquals(valid, predicted.keySet(), "every valid record, and only those, predicted");
      assertTrue(predicted.values().stream().allMatch(c -> c == 1), "exactly one prediction each");
      assertEquals(Map.of("trainer", badField.size(), "inference", badField.size()), deadByApp);
    }
  }
}
