package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.data.FlightsData;
import io.streamlearn.tools.ToolsMain;
import io.streamlearn.it.BrokerIT;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamlearn produce} and {@code streamlearn tail} against a real broker, through {@link Main}. */
class ProduceTailIT extends BrokerIT {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void produceSendsCsvRowsAsLabeledAndFeatureEvents(@TempDir Path dir) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Path csv = dir.resolve("events.csv");
    Files.writeString(csv, "x1,x2,label\n0.1,0.2,1\n0.3,0.4,0\n0.5,0.6,2\n");
    // The environment and the file are sources too: the topic comes from STREAMLEARN_..., the rest from flags.
    int status = ToolsMain.run(List.of("produce", "--bootstrap-servers", kafka.bootstrapServers(),
        "--source", "csv", "--file", csv.toString(), "--csv-header", "true", "--id-prefix", "row-",
        "--features-topic", "f-" + suffix, "--kafka-property", "client.id=produce-it"),
        Map.of("STREAMLEARN_LABELED_TOPIC", "l-" + suffix), out);
    assertEquals(Main.OK, status, bytes.toString(StandardCharsets.UTF_8));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("sent 3 labeled events to l-" + suffix),
        bytes.toString(StandardCharsets.UTF_8));
    List<ConsumerRecord<String, byte[]>> records = read("l-" + suffix, 3);
    AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
    List<String> seen = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      LabeledEvent e = serde.deserialize(r.topic(), r.value());
      assertEquals(r.key(), e.getId(), "key is the event id");
      seen.add(e.getId() + "=" + e.getLabel() + e.getFeatures());
    }
    seen.sort(null);
    assertEquals(List.of("row-0=1[0.1, 0.2]", "row-1=0[0.3, 0.4]", "row-2=2[0.5, 0.6]"), seen);

    bytes.reset();
    status = ToolsMain.run(List.of("produce", "--bootstrap-servers", kafka.bootstrapServers(),
        "--generator", "sea", "--count", "50", "--unlabeled-share", "1.0",
        "--labeled-topic", "l2-" + suffix, "--features-topic", "f2-" + suffix), Map.of(), out);
    assertEquals(Main.OK, status, bytes.toString(StandardCharsets.UTF_8));
    AvroSerde<FeatureEvent> features = AvroSerde.of(FeatureEvent.class);
    for (ConsumerRecord<String, byte[]> r : read("f2-" + suffix, 50)) {
      assertEquals(3, features.deserialize(r.topic(), r.value()).getFeatures().size(), "SEA has 3 features");
    }
  }

  @Test
  void produceSendsRawJsonLinesAsTheyAreKeyedByAFieldOrTheLineNumber(@TempDir Path dir) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Path file = dir.resolve("flights.jsonl");
    List<String> objects = List.of(
        "{\"date\": \"2001/01/01 00:47\", \"delay\": 66, \"distance\": 1750, \"origin\": \"DTW\", \"destination\": \"LAS\"}",
        "{\"date\":\"2001/01/01 06:00\",\"delay\":-2.50,\"distance\":361,\"origin\":\"SFO\",\"destination\":null}",
        "{\"date\": \"2001/01/01 07:10\", \"delay\": 3, \"origin\": \"ORD\", \"note\": \"caf\u00e9\"}");
    Files.writeString(file, String.join("\n", objects) + "\n");

    int status = ToolsMain.run(List.of("produce", "--bootstrap-servers", kafka.bootstrapServers(),
        "--source", "jsonl", "--file", file.toString(), "--topic", "raw-" + suffix, "--key-field", "origin"),
        Map.of(), out);
    assertEquals(Main.OK, status, bytes.toString(StandardCharsets.UTF_8));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("sent 3 JSON records to raw-" + suffix),
        bytes.toString(StandardCharsets.UTF_8));
    Map<String, String> byKey = new java.util.TreeMap<>();
    for (ConsumerRecord<String, byte[]> r : read("raw-" + suffix, 3)) {
      byKey.put(r.key(), new String(r.value(), StandardCharsets.UTF_8));
    }
    assertEquals(Map.of("DTW", objects.get(0), "SFO", objects.get(1), "ORD", objects.get(2)), byKey,
        "each value is the line byte for byte, keyed by its origin");

    bytes.reset();
    status = ToolsMain.run(List.of("produce", "--bootstrap-servers", kafka.bootstrapServers(),
        "--source", "jsonl", "--file", file.toString(), "--topic", "raw2-" + suffix, "--id-prefix", "line-"),
        Map.of(), out);
    assertEquals(Main.OK, status, bytes.toString(StandardCharsets.UTF_8));
    List<String> keys = new ArrayList<>(read("raw2-" + suffix, 3).stream().map(ConsumerRecord::key).toList());
    keys.sort(null);
    assertEquals(List.of("line-1", "line-2", "line-3"), keys, "without --key-field: the line number");
  }

  @Test
  void produceReplaysTheFlightsArrayFileRecordByRecord() throws Exception {
    Optional<Path> flights = FlightsData.flights20k(System.getenv());
    Assumptions.assumeTrue(flights.isPresent(), FlightsData.missing(System.getenv()));
    String topic = "flights-" + UUID.randomUUID().toString().substring(0, 8);
    int status = ToolsMain.run(List.of("produce", "--bootstrap-servers", kafka.bootstrapServers(),
        "--source", "jsonl", "--file", flights.get().toString(), "--topic", topic, "--topic-partitions", "1"),
        Map.of(), out);
    assertEquals(Main.OK, status, bytes.toString(StandardCharsets.UTF_8));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("sent 20,000 JSON records to " + topic),
        bytes.toString(StandardCharsets.UTF_8));
    ConsumerRecord<String, byte[]> first = read(topic, 20_000).get(0);
    assertEquals("p-1", first.key());
    assertEquals("{\"date\":\"2001/01/01 00:47\",\"delay\":66,\"distance\":1750,\"origin\":\"DTW\","
        + "\"destination\":\"LAS\"}", new String(first.value(), StandardCharsets.UTF_8));
  }

  @Test
  void produceStopsAtABadJsonLineNamingItAfterSendingTheLinesBefore(@TempDir Path dir) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"a\": 1}\n{\"a\": 2}\nnot json\n{\"a\": 4}\n");
    int status = ToolsMain.run(List.of("produce", "--bootstrap-servers", kafka.bootstrapServers(),
        "--source", "jsonl", "--file", file.toString(), "--topic", "bad-" + suffix), Map.of(), out);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(Main.USAGE, status, text);
    assertTrue(text.contains("bad.jsonl line 3") && text.contains("2 records before it were sent"), text);
    assertEquals(2, read("bad-" + suffix, 2).size());
  }

  @Test
  void produceJsonlWithoutATopicPointsAtEventsJsonl() {
    int status = ToolsMain.run(List.of("produce", "--source", "jsonl", "--file", "x.jsonl"), Map.of(), out);
    assertEquals(Main.USAGE, status);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("--topic") && text.contains("events-jsonl"), text);
  }

  @Test
  void produceRefusesAFileSourceWithoutFileNamingTheKey() {
    int status = ToolsMain.run(List.of("produce", "--source", "csv"), Map.of(), out);
    assertEquals(Main.USAGE, status);
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("file"), bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void tailPrintsPredictionsOneReadableLineEach() throws Exception {
    String topic = "p-" + UUID.randomUUID().toString().substring(0, 8);
    AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
    io.streamlearn.app.KafkaSupport.ensureTopics(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()), (short) -1, List.of(io.streamlearn.app.KafkaSupport.eventTopic(topic, 1))); // one partition: lines in order
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "e-1", serde.serialize(topic, new Prediction("e-1", 0L,
          "m", 3L, 1, List.of(0.1f, 0.9f), 1, 4200L, "late", null, null, null, null))));
      producer.send(new ProducerRecord<>(topic, "e-2", serde.serialize(topic, new Prediction("e-2", 0L,
          "m", 3L, 0, List.of(0.8f, 0.2f), 1, 1500L, null, null, null, null, null))));
      producer.send(new ProducerRecord<>(topic, "e-3", new byte[] {1, 2, 3}));
      producer.flush();
    }
    int status = Main.run(List.of("tail", "predictions", "--bootstrap-servers", kafka.bootstrapServers(),
        "--predictions-topic", topic, "--from-beginning", "true", "--max-records", "3"), Map.of(), out);
    assertEquals(Main.OK, status, bytes.toString(StandardCharsets.UTF_8));
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(3, lines.size(), "one line per record: " + lines);
    assertTrue(lines.get(0).matches("e-1\\s+m v3\\s+class 1\\s+\\(p=0\\.900\\) = late\\s+label 1\\s+ok.*latency 4\\.2 ms.*"),
        lines.get(0));
    assertTrue(lines.get(1).contains("class 0") && lines.get(1).contains("WRONG"), lines.get(1));
    assertTrue(lines.get(2).contains("undecodable"), "a bad record is reported, not fatal: " + lines.get(2));
  }

  private static List<ConsumerRecord<String, byte[]>> read(String topic, int count) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    assertEquals(count, out.size(), "records on " + topic);
    return out;
  }
}
