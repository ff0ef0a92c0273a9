import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * streamlearn from Java, with your own JSON records: sends flights as plain JSON objects (no
 * wrapping, no schema) to a topic that the trainer and inference read with {@code --input-format
 * json} and a feature spec, then prints the {@code Prediction} of each, with the class by its
 * label value ({@code predictedLabel}).
 *
 * <p>A single-file program: no build, run it with the launcher jar's classpath (kafka-clients and
 * streamlearn-schemas are on it):
 *
 * <pre>
 * java -cp streams-app/cli/target/streamlearn.jar examples/java/FlightsJsonClient.java \
 *     --bootstrap-servers localhost:9092 --topic flights
 * </pre>
 *
 * Next to {@code ./streamlearn demo --dataset flights}, which trains and serves raw Flights JSON
 * on its labeled topic, give {@code --topic streamlearn.labeled}.
 *
 * <p>Each record's key is its id ("java-" and a random suffix, then the record's number):
 * inference keys the prediction with the record key when it runs without {@code --id-field}.
 */
public class FlightsJsonClient {
  /** Flights as vega-datasets' flights-20k.json has them; the label {@code delay>15} reads {@code delay}. */
  static final List<String> FLIGHTS = List.of(
      "{\"date\": \"2001/01/01 00:47\", \"delay\": 66, \"distance\": 1750, \"origin\": \"DTW\", \"destination\": \"LAS\"}",
      "{\"date\": \"2001/01/01 01:24\", \"delay\": -5, \"distance\": 407, \"origin\": \"LAS\", \"destination\": \"OAK\"}",
      "{\"date\": \"2001/01/01 06:10\", \"delay\": 3, \"distance\": 337, \"origin\": \"SFO\", \"destination\": \"LAX\"}");

  public static void main(String[] argv) throws Exception {
    try {
      run(parse(argv));
    } catch (KafkaException e) {
      // Kafka's own exceptions often carry no stack trace; the message says what went wrong.
      System.out.println("error: " + e);
      System.exit(1);
    }
  }

  static void run(Map<String, String> args) throws Exception {
    String bootstrap = args.getOrDefault("bootstrap-servers", "localhost:9092");
    String topic = args.getOrDefault("topic", "flights");
    String predictionsTopic = args.getOrDefault("predictions-topic", "streamlearn.predictions");
    Duration timeout = Duration.ofSeconds(Long.parseLong(args.getOrDefault("timeout", "60")));
    String prefix = args.getOrDefault("id-prefix", "java-" + UUID.randomUUID().toString().substring(0, 8) + "-");

    Map<String, Object> consumerProps = new HashMap<>(Map.of("bootstrap.servers", bootstrap,
        // Only committed predictions: inference writes them in Kafka transactions.
        "isolation.level", "read_committed", "enable.auto.commit", "false"));
    try (KafkaConsumer<String, Prediction> consumer = new KafkaConsumer<>(consumerProps,
             new StringDeserializer(), AvroSerde.of(Prediction.class));
         KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
             Map.of("bootstrap.servers", bootstrap, "acks", "all", "max.block.ms", "15000"),
             new StringSerializer(), new ByteArraySerializer())) {
      try {
        producer.partitionsFor(topic);
      } catch (TimeoutException e) {
        System.out.println("topic " + topic + " not found at " + bootstrap + ": start train and serve"
            + " with --input-format json on it first (they create it), or create it");
        System.exit(1);
      }
      // Read from the current end of every partition, assigned (no group): nothing to miss.
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(predictionsTopic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(predictionsTopic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);

      Map<String, String> sent = new LinkedHashMap<>();
      for (int i = 0; i < FLIGHTS.size(); i++) {
        String id = prefix + i;
        // The record as it is: the JSON text's bytes are the value.
        producer.send(new ProducerRecord<>(topic, id, FLIGHTS.get(i).getBytes(StandardCharsets.UTF_8)));
        sent.put(id, FLIGHTS.get(i));
      }
      producer.flush();

      long deadline = System.nanoTime() + timeout.toNanos();
      while (!sent.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, Prediction> r : consumer.poll(Duration.ofMillis(500))) {
          if (sent.remove(r.key()) != null) {
            Prediction p = r.value();
            System.out.printf("%s  %s v%d  predicted %s (class %s)  scores %s%n", p.getId(), p.getModel(),
                p.getModelVersion(), p.getPredictedLabel(), p.getPredictedClass(), p.getScores());
          }
        }
      }
      if (!sent.isEmpty()) {
        System.out.println("no prediction within " + timeout.toSeconds() + " s for " + sent.keySet());
        System.exit(1);
      }
    }
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("usage: [--bootstrap-servers H:P] [--topic T] "
            + "[--predictions-topic T] [--id-prefix P] [--timeout SECONDS]; found " + argv[i]);
      }
      out.put(argv[i].substring(2), argv[++i]);
    }
    return out;
  }
}
