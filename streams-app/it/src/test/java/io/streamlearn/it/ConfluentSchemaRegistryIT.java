package io.streamlearn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.schema.user.ConfluentAvroDecoder;
import io.streamlearn.schema.user.ConfluentWireFormat;
import io.streamlearn.schema.user.GenericPath;
import io.streamlearn.schema.user.SchemaRegistryClient;
import io.streamlearn.schema.user.SchemaRegistrySettings;
import io.streamlearn.schema.user.UserRecordException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
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
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Confluent's wire format against a real schema registry ({@code confluentinc/cp-schema-registry},
 * tag overridable with {@code -Dit.schemaRegistryImage}) backed by the compose stack's Kafka image:
 * a schema registered over REST as a user would with curl, values encoded with its id, produced
 * and consumed through Kafka, and decoded by {@link ConfluentAvroDecoder} with schemas fetched
 * by {@link SchemaRegistryClient}. Skipped, saying so, where Docker is not available; the same
 * code is covered without Docker by the schemas module's tests on recorded bytes and recorded
 * registry responses.
 */
class ConfluentSchemaRegistryIT {
  private static final String KAFKA_IMAGE = "apache/kafka:4.3.1";
  private static final String REGISTRY_IMAGE =
      System.getProperty("it.schemaRegistryImage", "confluentinc/cp-schema-registry:7.9.0");
  private static final Schema V1 = new Schema.Parser().parse("""
      {"type": "record", "name": "Flight", "namespace": "com.example.flights", "fields": [
        {"name": "origin", "type": "string"},
        {"name": "delay", "type": "int"},
        {"name": "user", "type": {"type": "record", "name": "User", "fields": [
          {"name": "country", "type": "string"}]}}]}""");
  private static final Schema V2 = new Schema.Parser().parse(V1.toString()
      .replace("}]}}]}", "}]}},{\"name\":\"aircraft\",\"type\":\"string\",\"default\":\"unknown\"}]}"));

  @Test
  void valuesWrittenWithARegisteredSchemaDecodeThroughTheRegistryClient() throws Exception {
    Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
        "Docker is not available here; skipping the Testcontainers test of " + REGISTRY_IMAGE
            + " (ConfluentAvroDecoderTest and SchemaRegistryClientTest cover the wire format and the client"
            + " on recorded bytes and recorded registry responses)");
    try (Network network = Network.newNetwork();
         KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
             .withNetwork(network).withNetworkAliases("kafka").withListener("kafka:19092");
         GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
             .withNetwork(network).withNetworkAliases("schema-registry").dependsOn(kafka)
             .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
             .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
             .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
             .withEnv("SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR", "1")
             .withExposedPorts(8081)
             .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)))) {
      kafka.start();
      registry.start();
      String url = "http://" + registry.getHost() + ":" + registry.getMappedPort(8081);
      int v1 = registerWithCurlShapedRequest(url, "flights-value", V1);
      int v2 = registerWithCurlShapedRequest(url, "flights-value", V2);
      assertTrue(v1 != v2, "two versions, two ids: " + v1 + ", " + v2);

      String topic = "flights-confluent-avro";
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers()),
          new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(topic, "f-1", ConfluentWireFormat.encode(v1, flight(V1, "DTW", 66, "US")))).get();
        GenericRecord newer = flight(V2, "JFK", 15, "DE");
        newer.put("aircraft", "A320");
        producer.send(new ProducerRecord<>(topic, "f-2", ConfluentWireFormat.encode(v2, newer))).get();
      }
      List<byte[]> values = consume(kafka.getBootstrapServers(), topic, 2);

      SchemaRegistryClient client = SchemaRegistryClient.fromProperties(Map.of(SchemaRegistrySettings.URL, url));
      ConfluentAvroDecoder asWritten = new ConfluentAvroDecoder(client, null);
      GenericRecord first = asWritten.decode(values.get(0));
      assertEquals("DTW", GenericPath.value(first, "origin"));
      assertEquals(66, GenericPath.value(first, "delay"));
      assertEquals("US", GenericPath.value(first, "user.country"));
      assertEquals("A320", GenericPath.value(asWritten.decode(values.get(1)), "aircraft"));
      assertEquals(V1, client.schemaById(v1), "the registry gives back the schema registered under the id");

      ConfluentAvroDecoder asV2 = new ConfluentAvroDecoder(client, V2);
      assertEquals("unknown", GenericPath.value(asV2.decode(values.get(0)), "aircraft"));

      byte[] unknown = values.get(0).clone();
      unknown[1] = 0x7F;
      UserRecordException e = assertThrows(UserRecordException.class, () -> asWritten.decode(unknown));
      assertEquals(UserRecordException.Reason.UNKNOWN_SCHEMA_ID, e.reason());
      assertTrue(e.getMessage().contains("not found in the registry at " + url), e.getMessage());
    }
  }

  private static GenericRecord flight(Schema schema, String origin, int delay, String country) {
    GenericData.Record user = new GenericData.Record(schema.getField("user").schema());
    user.put("country", country);
    GenericData.Record flight = new GenericData.Record(schema);
    flight.put("origin", origin);
    flight.put("delay", delay);
    flight.put("user", user);
    return flight;
  }

  /** POST /subjects/{subject}/versions as Confluent's documentation shows it with curl. */
  private static int registerWithCurlShapedRequest(String url, String subject, Schema schema) throws Exception {
    ObjectMapper json = new ObjectMapper();
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(url + "/subjects/" + subject + "/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("schema", schema.toString()))))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return json.readTree(response.body()).get("id").asInt();
  }

  private static List<byte[]> consume(String bootstrap, String topic, int count) {
    List<byte[]> values = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "confluent-avro-it",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    assertEquals(count, values.size(), "records consumed from " + topic);
    return values;
  }
}
