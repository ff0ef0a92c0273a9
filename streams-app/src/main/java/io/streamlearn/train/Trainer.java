package io.streamlearn.train;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.DeadLetters;
import io.streamlearn.app.InputChecks;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.Preprocessor;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.learn.metrics.WindowedMean;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.Lineage;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.registry.Signature;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous trainer of one model.
 *
 * <p>It owns every partition of the labeled topic. Each batch is first scored by the current
 * weights (test-then-train, giving the prequential metrics) and then trained on. Every N batches
 * or T seconds it publishes a new version and moves the configured alias to it, in one Kafka
 * transaction that also commits the consumed offsets: a version, its alias move and the offsets
 * of exactly the examples in it become visible together or not at all. On start it reads the
 * registry, continues from the newest version's weights and numbers new versions after it, and
 * resumes from the committed offsets, so no example is trained twice or skipped.
 *
 * <p>Optimizer state is not in a version; a restarted trainer starts it afresh (the trainer
 * checkpoint topic that keeps it is future work). Invalid records go to the dead-letter topic.
 */
public final class Trainer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Trainer.class);
  private static final String APP = "trainer";

  private final TrainerConfig config;
  private final String model;
  private final Map<String, Object> clientProps;
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<TrainingEvent> eventSerde = AvroSerde.of(TrainingEvent.class);
  private final InputEventDecoder decoder = InputEventDecoder.forLabeled();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile TrainerStatus status = new TrainerStatus(0, 0, 0, 0, 0, Double.NaN, Double.NaN);

  private NetworkSpec spec;
  private Loss loss;
  private Signature signature;
  private Learner learner;
  private Batch batch;
  private WindowedMean accuracy;
  private WindowedMean lossWindow;
  private long lastVersion;
  private long examplesSeen;
  private long examplesSinceParent;
  private long batchesSincePublish;
  private long lastPublishNanos = System.nanoTime();
  private long published;
  private long deadLetters;
  private long discardedBatches;
  private final Map<TopicPartition, Long> rangeStart = new HashMap<>();
  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();

  /** A trainer; {@link #run()} starts it. */
  public Trainer(TrainerConfig config) {
    this.config = config;
    this.model = config.getString(CommonKeys.MODEL_NAME);
    this.clientProps = KafkaSupport.clientProperties(
        config.getString(CommonKeys.BOOTSTRAP_SERVERS), config.kafkaProperties());
  }

  /** The latest status; safe from any thread. */
  public TrainerStatus status() {
    return status;
  }

  /** Asks the loop to stop; it publishes what it trained since the last version, then returns. */
  public void stop() {
    running = false;
  }

  /** Waits until {@link #run()} has returned. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    try {
      runLoop();
    } finally {
      stopped.countDown();
    }
  }

  private void runLoop() {
    String labeledTopic = config.getString(CommonKeys.LABELED_TOPIC);
    String modelsTopic = config.getString(CommonKeys.MODELS_TOPIC);
    KafkaSupport.ensureTopics(clientProps, config.getShort(CommonKeys.REPLICATION_FACTOR), List.of(
        KafkaSupport.eventTopic(labeledTopic, config.getInt(CommonKeys.TOPIC_PARTITIONS)),
        KafkaSupport.registryTopic(modelsTopic),
        KafkaSupport.eventTopic(config.getString(CommonKeys.METRICS_TOPIC), 1),
        KafkaSupport.deadLetterTopic(config.getString(CommonKeys.DEAD_LETTER_TOPIC))));
    RegistryState registry = RegistryReader.read(clientProps, modelsTopic, Duration.ofSeconds(60));
    Optional<ModelVersion> latest = registry.latest(model);
    lastVersion = registry.latestVersionNumber(model);
    int features = config.getInt(TrainerConfig.FEATURES);
    if (features == 0 && latest.isPresent()) {
      features = latest.get().signature().featureCount();
    }
    if (features > 0) {
      initLearner(features, latest);
    }
    String groupId = "streamlearn-trainer-" + model;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(groupId),
             new StringDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(groupId),
             new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      List<TopicPartition> partitions = consumer.partitionsFor(labeledTopic, Duration.ofSeconds(60))
          .stream().map(p -> new TopicPartition(labeledTopic, p.partition())).toList();
      consumer.assign(partitions);
      for (TopicPartition tp : partitions) {
        long position = consumer.position(tp, Duration.ofSeconds(60));
        rangeStart.put(tp, position);
        nextOffset.put(tp, position);
      }
      log.info("trainer of model {} starts after version {} at positions {}", model, lastVersion, nextOffset);
      producer.beginTransaction();
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          handle(producer, r);
        }
        if (publishDue()) {
          publish(producer, consumer);
        }
      }
      publish(producer, consumer); // what was trained and refused since the last version
      producer.abortTransaction(); // the empty transaction publish began
    }
    log.info("trainer of model {} stopped at version {}", model, lastVersion);
  }

  private void initLearner(int features, Optional<ModelVersion> latest) {
    spec = NetworkSpec.parse(features, config.getString(TrainerConfig.LAYERS));
    loss = Artifacts.loss(config.getString(TrainerConfig.LOSS));
    if (loss.targetsPerRow(spec.outputs()) != 1) {
      throw new IllegalArgumentException("loss " + loss + " needs " + loss.targetsPerRow(spec.outputs())
          + " targets per example; an event's label holds one: use one output for regression");
    }
    signature = Artifacts.signature(spec, loss);
    int batchSize = config.getInt(TrainerConfig.BATCH_SIZE);
    learner = new Learner(new TrainingConfig(spec, loss, optimizer(), batchSize,
        config.getLong(TrainerConfig.SEED)));
    batch = new Batch(batchSize, features, spec.outputs());
    int window = config.getInt(TrainerConfig.PREQUENTIAL_WINDOW);
    accuracy = new WindowedMean(window);
    lossWindow = new WindowedMean(window);
    if (latest.isPresent() && latest.get().architecture().equals(spec.text())
        && latest.get().signature().featureCount() == features) {
      learner.setParameters(Artifacts.toEngine(latest.get().tensors()));
      examplesSeen = latest.get().lineage().examplesSeen();
      log.info("continuing model {} from version {} ({} examples seen)", model,
          latest.get().version(), examplesSeen);
    } else if (latest.isPresent()) {
      log.warn("model {}: version {} has architecture '{}' on {} features; the configured '{}' on {}"
              + " starts from fresh weights", model, latest.get().version(), latest.get().architecture(),
          latest.get().signature().featureCount(), spec.text(), features);
    }
  }

  private OptimizerConfig optimizer() {
    double lr = config.getDouble(TrainerConfig.LEARNING_RATE);
    OptimizerConfig base = switch (config.getString(TrainerConfig.OPTIMIZER)) {
      case "sgd" -> OptimizerConfig.sgd(lr, config.getDouble(TrainerConfig.MOMENTUM));
      case "rmsprop" -> OptimizerConfig.rmsprop(lr);
      case "adagrad" -> OptimizerConfig.adagrad(lr);
      default -> OptimizerConfig.adam(lr);
    };
    return base.withL2(config.getDouble(TrainerConfig.L2));
  }

  private void handle(KafkaProducer<String, byte[]> producer, ConsumerRecord<String, byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    nextOffset.put(tp, r.offset() + 1);
    InputEvent event;
    try {
      event = decoder.decode(r.topic(), r.value());
    } catch (SerializationException e) {
      deadLetter(producer, r, e.getMessage());
      return;
    }
    if (learner == null) {
      initLearner(event.features().length, Optional.empty());
    }
    String problem = InputChecks.featureProblem(event, spec.inputs());
    if (problem == null) {
      problem = event.labeled() ? InputChecks.labelProblem(event, signature.task(), signature.outputCount())
          : "a FeatureEvent has no label to train on";
    }
    if (problem != null) {
      deadLetter(producer, r, problem);
      return;
    }
    batch.add(event.features(), event.label().asFloat());
    if (batch.isFull()) {
      trainBatch();
    }
  }

  private void trainBatch() {
    int rows = batch.rows;
    float batchLoss = learner.fit(batch.x, batch.y, rows, batch.predictions);
    if (!Float.isFinite(batchLoss)) {
      discardedBatches++;
      log.warn("model {}: batch of {} discarded, loss {}", model, rows, batchLoss);
    } else {
      recordPrequential(rows, batchLoss);
      examplesSeen += rows;
      examplesSinceParent += rows;
    }
    batchesSincePublish++;
    batch.clear();
    updateStatus();
  }

  private void recordPrequential(int rows, float batchLoss) {
    int outputs = spec.outputs();
    for (int i = 0; i < rows; i++) {
      int predicted = argmax(batch.predictions, i * outputs, outputs);
      int truth = (int) batch.y[i];
      if (signature.task() == Signature.Task.CLASSIFICATION) {
        accuracy.add(predicted == truth ? 1.0 : 0.0);
      }
      lossWindow.add(batchLoss);
    }
  }

  private static int argmax(float[] values, int from, int count) {
    if (count == 1) {
      return values[from] >= 0.5f ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < count; k++) {
      if (values[from + k] > values[from + best]) {
        best = k;
      }
    }
    return best;
  }

  private boolean publishDue() {
    if (batchesSincePublish == 0) {
      return false;
    }
    return batchesSincePublish >= config.getInt(TrainerConfig.PUBLISH_EVERY_BATCHES)
        || System.nanoTime() - lastPublishNanos >= config.getLong(TrainerConfig.PUBLISH_EVERY_MS) * 1_000_000;
  }

  private void publish(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> consumer) {
    if (batch != null && batch.rows > 0) {
      trainBatch(); // a short last batch: every consumed example is in the version whose offsets commit
    }
    Instant now = Instant.now();
    boolean newVersion = examplesSinceParent > 0;
    if (newVersion) {
      long version = lastVersion + 1;
      ModelVersion v = ModelVersion.create(model, version, lastVersion, now, spec.text(), signature,
          Artifacts.toRegistry(Preprocessor.identity(spec.inputs()), "identity"),
          Artifacts.toRegistry(learner.parameters()), lineage(), metrics());
      String modelsTopic = config.getString(CommonKeys.MODELS_TOPIC);
      producer.send(new ProducerRecord<>(modelsTopic, v.key(), codec.encode(v)));
      AliasMove move = new AliasMove(model, config.getString(TrainerConfig.ALIAS), version, now,
          APP, "published by the trainer", lastVersion);
      producer.send(new ProducerRecord<>(modelsTopic, move.key(), codec.encode(move)));
      sendEvent(producer, TrainingEventType.PUBLISHED, version, "version " + version);
      lastVersion = version;
      published++;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    nextOffset.forEach((tp, next) -> offsets.put(tp, new OffsetAndMetadata(next)));
    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    producer.commitTransaction();
    producer.beginTransaction();
    rangeStart.putAll(nextOffset);
    examplesSinceParent = 0;
    batchesSincePublish = 0;
    lastPublishNanos = System.nanoTime();
    updateStatus();
    if (newVersion) {
      log.info("model {}: version {} published ({} examples seen, prequential accuracy {})", model,
          lastVersion, examplesSeen, status.prequentialAccuracy());
    }
  }

  private Lineage lineage() {
    List<OffsetRange> ranges = new ArrayList<>();
    nextOffset.forEach((tp, next) -> {
      long from = rangeStart.getOrDefault(tp, next);
      if (next > from) {
        ranges.add(new OffsetRange(tp.topic(), tp.partition(), from, next));
      }
    });
    ranges.sort(java.util.Comparator.comparing(OffsetRange::partition));
    Map<String, String> hyper = new LinkedHashMap<>();
    for (String key : List.of(TrainerConfig.LAYERS, TrainerConfig.LOSS, TrainerConfig.OPTIMIZER,
        TrainerConfig.LEARNING_RATE, TrainerConfig.MOMENTUM, TrainerConfig.L2, TrainerConfig.BATCH_SIZE)) {
      hyper.put(key, String.valueOf(config.values().get(key)));
    }
    return new Lineage(ranges, examplesSeen, examplesSinceParent, hyper,
        config.getLong(TrainerConfig.SEED), codeVersion());
  }

  private Map<String, Double> metrics() {
    Map<String, Double> m = new HashMap<>();
    if (accuracy.count() > 0) {
      m.put("prequentialAccuracy", accuracy.mean());
    }
    if (lossWindow.count() > 0) {
      m.put("prequentialLoss", lossWindow.mean());
    }
    return m;
  }

  private void sendEvent(KafkaProducer<String, byte[]> producer, TrainingEventType type, long version,
                         String message) {
    TrainingEvent e = TrainingEvent.newBuilder().setModel(model).setType(type)
        .setTimestamp(Instant.now()).setModelVersion(version).setExamplesSeen(examplesSeen)
        .setLearningRate(learner.currentLearningRate()).setMetrics(metrics()).setMessage(message)
        .build();
    producer.send(new ProducerRecord<>(config.getString(CommonKeys.METRICS_TOPIC), model,
        eventSerde.serialize(null, e)));
  }

  private void deadLetter(KafkaProducer<String, byte[]> producer, ConsumerRecord<String, byte[]> r,
                          String reason) {
    deadLetters++;
    log.debug("dead letter {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
    producer.send(new ProducerRecord<>(config.getString(CommonKeys.DEAD_LETTER_TOPIC), null, r.key(),
        r.value(), DeadLetters.headers(APP, reason, r.topic(), r.partition(), r.offset())));
    updateStatus();
  }

  private void updateStatus() {
    status = new TrainerStatus(published, lastVersion, examplesSeen, deadLetters, discardedBatches,
        accuracy == null || accuracy.count() == 0 ? Double.NaN : accuracy.mean(),
        lossWindow == null || lossWindow.count() == 0 ? Double.NaN : lossWindow.mean());
  }

  private Map<String, Object> consumerProps(String groupId) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    return p;
  }

  private Map<String, Object> producerProps(String transactionalId) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaSupport.MAX_MODEL_BYTES);
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    return p;
  }

  static String codeVersion() {
    String v = Trainer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
