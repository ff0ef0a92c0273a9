package io.streamlearn.serve;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running inference instance: creates missing topics, then runs the topology. */
public final class InferenceService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InferenceService.class);

  private final InferenceConfig config;
  private final ServedModel served = new ServedModel();
  private final KafkaStreams streams;

  /** Creates missing topics and prepares (does not start) the streams app. */
  public InferenceService(InferenceConfig config) {
    this.config = config;
    Map<String, Object> client = KafkaSupport.clientProperties(
        config.getString(CommonKeys.BOOTSTRAP_SERVERS), config.kafkaProperties());
    int partitions = config.getInt(CommonKeys.TOPIC_PARTITIONS);
    KafkaSupport.ensureTopics(client, config.getShort(CommonKeys.REPLICATION_FACTOR), List.of(
        KafkaSupport.eventTopic(config.getString(CommonKeys.FEATURES_TOPIC), partitions),
        KafkaSupport.eventTopic(config.getString(CommonKeys.LABELED_TOPIC), partitions),
        KafkaSupport.eventTopic(config.getString(CommonKeys.PREDICTIONS_TOPIC), partitions),
        KafkaSupport.deadLetterTopic(config.getString(CommonKeys.DEAD_LETTER_TOPIC)),
        KafkaSupport.registryTopic(config.getString(CommonKeys.MODELS_TOPIC))));
    this.streams = new KafkaStreams(InferenceTopology.build(config, served), streamsProperties(config));
    streams.setUncaughtExceptionHandler(e -> {
      log.error("stream thread failed; replacing it", e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .REPLACE_THREAD;
    });
  }

  /** The Kafka Streams properties of a configuration. */
  public static Properties streamsProperties(InferenceConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafkaProperties());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(InferenceConfig.APPLICATION_ID));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(CommonKeys.BOOTSTRAP_SERVERS));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.getString(InferenceConfig.PROCESSING_GUARANTEE));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(InferenceConfig.NUM_STREAM_THREADS));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.getLong(InferenceConfig.COMMIT_INTERVAL_MS));
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(InferenceConfig.STATE_DIR));
    short rf = config.getShort(CommonKeys.REPLICATION_FACTOR);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) rf);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
    p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        KafkaSupport.MAX_MODEL_BYTES);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    // A refused input goes to the dead-letter topic unchanged, however large it was.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), KafkaSupport.MAX_MODEL_BYTES);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), KafkaSupport.MAX_MODEL_BYTES);
    // Bad registry records are handled inside RegistryFollower; opt in to the 5.0 default now.
    p.put("processing.exception.handler.global.enabled", true);
    return p;
  }

  /** Starts processing. */
  public void start() {
    streams.start();
  }

  /** The served model, for status and tests. */
  public ServedModel served() {
    return served;
  }

  /** The Kafka Streams state. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
