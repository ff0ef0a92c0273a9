package io.streamlearn.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

/**
 * Stands in for inference over raw JSON in the examples' tests: answers each JSON record on the
 * input topic with a Prediction keyed like it, calling it by its boolean {@code delayed} field
 * (class 1, label value "true"). It checks the examples' side of the wire, not the model.
 */
final class JsonStandIn implements AutoCloseable {
  private final List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final ObjectMapper json = new ObjectMapper();
  private final Thread thread;

  private JsonStandIn(String bootstrap, String inputTopic, String predictionsTopic) {
    thread = new Thread(() -> answer(bootstrap, inputTopic, predictionsTopic), "json-stand-in");
  }

  /** Starts answering records on {@code inputTopic} with Predictions on {@code predictionsTopic}. */
  static JsonStandIn start(String bootstrap, String inputTopic, String predictionsTopic) {
    JsonStandIn s = new JsonStandIn(bootstrap, inputTopic, predictionsTopic);
    s.thread.start();
    return s;
  }

  /** The records answered so far, as they arrived. */
  List<ConsumerRecord<String, byte[]>> seen() {
    return seen;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(30_000);
  }

  private void answer(String bootstrap, String inputTopic, String predictionsTopic) {
    AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
    try (KafkaConsumer<String, byte[]> in = new KafkaConsumer<>(Map.of(
             ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "stand-in",
             ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
             new StringDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<String, byte[]> out = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
             new StringSerializer(), new ByteArraySerializer())) {
      in.subscribe(List.of(inputTopic));
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
          out.send(new ProducerRecord<>(predictionsTopic, r.key(), serde.serialize(predictionsTopic, p)));
        }
        out.flush();
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the stand-in read a record that is not JSON", e);
    }
  }
}
