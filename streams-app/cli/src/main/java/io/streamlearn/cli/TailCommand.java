package io.streamlearn.cli;

import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.TrainingEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code streamlearn tail predictions|metrics}: prints the records of the predictions topic (or
 * the training history) as they arrive, one readable line each. Reads committed records only, with
 * no consumer group: tailing moves nobody's offsets.
 */
final class TailCommand {
  /** {@code streamlearn tail predictions|metrics}, both with tail's options. */
  static final Command COMMAND = new Subcommands("tail",
      "print predictions (or the training history) as they arrive: 'tail predictions'",
      "streamlearn tail predictions|metrics [options]", TailConfig.DEF, List.of(
          topic("predictions", "the predictions topic, one line per prediction", true),
          topic("metrics", "the training history (progress, published and rejected versions, drift, alerts)", false)));

  private TailCommand() {}

  private static Command topic(String name, String summary, boolean predictions) {
    return Command.withOptions(name, summary, "streamlearn tail " + name + " [options]", TailConfig.DEF,
        (args, env, out) -> run(predictions, args, env, out));
  }

  private static int run(boolean predictions, List<String> args, Map<String, String> env, PrintStream out) {
    TailSettings settings = TailConfig.fromArgs(args, env).settings();
    String topic = predictions ? settings.topics().predictions() : settings.topics().metrics();
    Function<byte[], String> format = predictions ? predictionFormat() : trainingFormat();
    Map<String, Object> props = new HashMap<>(settings.kafka().clientProperties());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    long max = settings.maxRecords();
    long idle = settings.idleTimeoutMs();
    long printed = 0;
    try (KafkaConsumer<String, byte[]> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException("topic " + topic + " does not exist on "
            + settings.kafka().bootstrapServers());
      }
      List<TopicPartition> partitions = infos.stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      if (settings.fromBeginning()) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
      }
      long lastRecord = System.nanoTime();
      while ((max == 0 || printed < max)
          && (idle == 0 || System.nanoTime() - lastRecord < idle * 1_000_000)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          lastRecord = System.nanoTime();
          String line;
          try {
            line = format.apply(r.value());
          } catch (SerializationException e) {
            line = String.format(Locale.ROOT, "%s-%d@%d: undecodable (%s)", r.topic(), r.partition(),
                r.offset(), e.getMessage());
          }
          out.println(line);
          if (max > 0 && ++printed >= max) {
            break;
          }
        }
      }
    }
    return Main.OK;
  }

  static Function<byte[], String> predictionFormat() {
    AvroSerde<Prediction> serde = AvroSerde.of(Prediction.class);
    return bytes -> format(serde.deserialize(null, bytes));
  }

  /** One prediction as a line: id, model version, prediction with its score (and label value), label, latency. */
  static String format(Prediction p) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-14s %s v%-4d ", p.getId(),
        p.getModel(), p.getModelVersion()));
    Integer predicted = p.getPredictedClass();
    List<Float> scores = p.getScores();
    if (predicted != null) {
      float score = predicted >= 0 && predicted < scores.size() ? scores.get(predicted) : Float.NaN;
      sb.append(String.format(Locale.ROOT, "class %-3d (p=%.3f)", predicted, score));
      if (p.getPredictedLabel() != null) {
        sb.append(" = ").append(p.getPredictedLabel());
      }
    } else {
      sb.append(String.format(Locale.ROOT, "value %s", scores));
    }
    Object label = p.getLabel();
    if (label != null) {
      boolean hit = predicted != null && label.equals(predicted);
      sb.append(String.format(Locale.ROOT, "  label %-3s %s", label, predicted == null ? "" : hit ? "ok   " : "WRONG"));
    }
    sb.append(String.format(Locale.ROOT, "  latency %.1f ms  at %s", p.getLatencyMicros() / 1000.0,
        Instant.ofEpochMilli(p.getEventTime())));
    return sb.toString();
  }

  private static Function<byte[], String> trainingFormat() {
    AvroSerde<TrainingEvent> serde = AvroSerde.of(TrainingEvent.class);
    return bytes -> {
      TrainingEvent e = serde.deserialize(null, bytes);
      return String.format(Locale.ROOT, "%s %s %-9s v%-4d seen %,d  lr %.2g  %s %s", e.getTimestamp(),
          e.getModel(), e.getType(), e.getModelVersion(), e.getExamplesSeen(), e.getLearningRate(),
          new java.util.TreeMap<>(e.getMetrics()), e.getMessage());
    };
  }
}
