package io.streamlearn.dashboard;

import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.TopicSettings;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.ChallengerVerdict;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.ServedMetrics;
import io.streamlearn.schema.TrainingEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the topics the dashboard shows into a {@link DashboardState}, on one background thread
 * with one consumer and no consumer group (it assigns partitions, so any number of dashboards
 * can watch one cluster without moving anyone's offsets).
 *
 * <p>The registry, the training history and the evaluation's served metrics and challenger
 * verdicts are read from the beginning (they are the model's history: a version's all-time served
 * figures may have been written long ago); predictions and input events from the moment the feed
 * starts. Input events are read
 * only to show images next to their predictions. Records that do not decode are logged and
 * skipped: a dashboard never stops on a bad record.
 */
public final class DashboardFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardFeed.class);

  /**
   * The topics a feed reads.
   *
   * @param metrics the training-history topic (also the evaluation's DRIFT and ALERT events)
   * @param models the registry topic
   * @param predictions the predictions topic
   * @param labeled the labeled-events topic
   * @param features the feature-events topic
   * @param servedMetrics the evaluation's {@code ServedMetrics} topic
   * @param challengerVerdicts the evaluation's {@code ChallengerVerdict} topic
   */
  public record Topics(String metrics, String models, String predictions, String labeled,
                       String features, String servedMetrics, String challengerVerdicts) {
    /**
     * How to create these topics where they are missing, as the apps that write them would:
     * event topics (the evaluation's outputs too) with {@code partitions}, the metrics topic with
     * one, the registry compacted.
     */
    public List<KafkaSupport.TopicSpec> specs(int partitions) {
      return List.of(
          KafkaSupport.eventTopic(labeled, partitions),
          KafkaSupport.eventTopic(features, partitions),
          KafkaSupport.eventTopic(predictions, partitions),
          KafkaSupport.eventTopic(metrics, 1),
          KafkaSupport.registryTopic(models),
          KafkaSupport.eventTopic(servedMetrics, partitions),
          KafkaSupport.eventTopic(challengerVerdicts, partitions));
    }

    /**
     * The topics of a command whose table holds the shared topic keys ({@link
     * io.streamlearn.config.CommonKeys#topics}) and the evaluation's two output topics ({@link
     * io.streamlearn.config.CommonKeys#servedMetricsTopic}, {@link
     * io.streamlearn.config.CommonKeys#challengerVerdictsTopic}).
     */
    public static Topics of(AppConfig config) {
      TopicSettings topics = config.topicSettings();
      return new Topics(topics.metrics(), topics.models(), topics.predictions(), topics.labeled(),
          topics.features(), config.getString(CommonKeys.SERVED_METRICS_TOPIC),
          config.getString(CommonKeys.CHALLENGER_VERDICTS_TOPIC));
    }

    /** Validates. */
    public Topics {
      for (String t : new String[] {metrics, models, predictions, labeled, features, servedMetrics,
          challengerVerdicts}) {
        if (t == null || t.isBlank()) {
          throw new IllegalArgumentException("topic names must be non-blank, found '" + t + "'");
        }
      }
    }
  }

  private final DashboardState state;
  private final Map<String, Object> clientProps;
  private final Topics topics;
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<TrainingEvent> trainingSerde = AvroSerde.of(TrainingEvent.class);
  private final AvroSerde<Prediction> predictionSerde = AvroSerde.of(Prediction.class);
  private final AvroSerde<ServedMetrics> servedSerde = AvroSerde.of(ServedMetrics.class);
  private final AvroSerde<ChallengerVerdict> verdictSerde = AvroSerde.of(ChallengerVerdict.class);
  private final InputEventDecoder labeledDecoder = InputEventDecoder.forLabeled();
  private final InputEventDecoder featuresDecoder = InputEventDecoder.forFeatures();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch assigned = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile Thread thread;

  /** A feed of {@code state} from the cluster {@code clientProps} names. */
  public DashboardFeed(DashboardState state, Map<String, Object> clientProps, Topics topics) {
    this.state = state;
    this.clientProps = Map.copyOf(clientProps);
    this.topics = topics;
  }

  /**
   * Starts the background thread and waits until it has found its partitions, so that predictions
   * made after this returns are seen.
   */
  public DashboardFeed start(Duration timeout) throws InterruptedException {
    thread = new Thread(this::run, "dashboard-feed");
    thread.setDaemon(true);
    thread.start();
    if (!assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("dashboard feed found no partitions of " + topics
          + " within " + timeout);
    }
    return this;
  }

  /** Whether the feed reads its topics: started, and neither stopped by a failure nor closed. */
  public boolean following() {
    Thread t = thread;
    return running && t != null && t.isAlive();
  }

  private void run() {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    try (KafkaConsumer<String, byte[]> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> history = partitions(consumer, Set.of(topics.metrics(), topics.models(),
          topics.servedMetrics(), topics.challengerVerdicts()));
      List<TopicPartition> live = partitions(consumer,
          Set.of(topics.predictions(), topics.labeled(), topics.features()));
      List<TopicPartition> all = new ArrayList<>(history);
      all.addAll(live);
      consumer.assign(all);
      consumer.seekToBeginning(history);
      consumer.seekToEnd(live);
      for (TopicPartition tp : live) {
        consumer.position(tp); // resolves the lazy seek now, before the caller produces anything
      }
      assigned.countDown();
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          apply(r);
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("dashboard feed stopped", e);
    } finally {
      stopped.countDown();
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, Set<String> names) {
    List<TopicPartition> out = new ArrayList<>();
    for (String topic : names) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      while ((infos == null || infos.isEmpty()) && running && System.nanoTime() < deadline) {
        infos = consumer.partitionsFor(topic, Duration.ofSeconds(5)); // the apps create it
      }
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      infos.forEach(p -> out.add(new TopicPartition(topic, p.partition())));
    }
    return out;
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    try {
      String topic = r.topic();
      if (topic.equals(topics.predictions())) {
        state.onPrediction(predictionSerde.deserialize(topic, r.value()));
      } else if (topic.equals(topics.labeled())) {
        InputEvent e = labeledDecoder.decode(topic, r.value());
        state.recordInput(e.id(), e.features());
      } else if (topic.equals(topics.features())) {
        InputEvent e = featuresDecoder.decode(topic, r.value());
        state.recordInput(e.id(), e.features());
      } else if (topic.equals(topics.metrics())) {
        state.onTrainingEvent(trainingSerde.deserialize(topic, r.value()));
      } else if (topic.equals(topics.models())) {
        state.onRegistry(codec.decode(r.key(), r.value()));
      } else if (topic.equals(topics.servedMetrics())) {
        state.onServedMetrics(servedSerde.deserialize(topic, r.value()));
      } else if (topic.equals(topics.challengerVerdicts())) {
        state.onChallengerVerdict(verdictSerde.deserialize(topic, r.value()));
      }
    } catch (SerializationException | InvalidModelException e) {
      log.debug("dashboard skips {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (thread != null) {
      stopped.await(10, TimeUnit.SECONDS);
    }
  }
}
