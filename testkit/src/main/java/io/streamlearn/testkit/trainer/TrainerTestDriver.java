package io.streamlearn.testkit.trainer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamlearn.app.DeadLetters;
import io.streamlearn.registry.AliasChange;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabelEvent;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import io.streamlearn.train.CheckpointSummary;
import io.streamlearn.train.TrainerClock;
import io.streamlearn.train.TrainerConfig;
import io.streamlearn.train.TrainerCore;
import io.streamlearn.train.TrainerSettings;
import io.streamlearn.train.TrainerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The trainer with no broker, what {@code TopologyTestDriver} is to a topology. Pipe records into
 * its input topics (labeled events, features, delayed labels, any bytes), {@link #process()} them,
 * {@link #advance} its clock, and read what the trainer committed: versions and alias moves, the
 * training history, dead letters with their reasons, checkpoints and consumed offsets, and what
 * an operator would see: its meters and its readiness.
 *
 * <p>It runs the trainer's own rules ({@link TrainerCore}) on Kafka's {@link MockProducer} (in
 * transactional mode: only committed transactions are visible here, as to a {@code read_committed}
 * consumer) and a mock consumer over the piped records, with no poller or committer thread: the
 * outcome of a test depends on its inputs and its clock, never on timing. What it does not show is
 * what only a broker can: fencing, a broker restart, the transaction protocol; the {@code *IT}s
 * keep those. Not thread-safe.
 */
public final class TrainerTestDriver {
  /** Where the driver's wall clock starts. */
  public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final AvroSerde<LabeledEvent> labeledSerde = AvroSerde.of(LabeledEvent.class);
  private final AvroSerde<FeatureEvent> featureSerde = AvroSerde.of(FeatureEvent.class);
  private final AvroSerde<LabelEvent> labelSerde = AvroSerde.of(LabelEvent.class);
  private final AvroSerde<TrainingEvent> eventSerde = AvroSerde.of(TrainingEvent.class);
  private final TrainerSettings settings;
  private final ManualClock clock = new ManualClock();
  private final InputLog input = new InputLog();
  /** What earlier incarnations (before a {@link #restart()}) committed. */
  private final List<MockProducer<String, byte[]>> earlier = new ArrayList<>();
  private MockProducer<String, byte[]> producer;
  private TrainerCore core;
  private MeterRegistry meters;
  private boolean stopped;

  /**
   * A dead-lettered record and the reason the trainer gave.
   *
   * @param field the field at fault in a raw record (its dead-letter header), null when none is named
   */
  public record DeadLetter(String key, byte[] value, String reason, String sourceTopic, int sourcePartition,
                           long sourceOffset, String field) {
    /** Validates. */
    public DeadLetter {
      Objects.requireNonNull(reason, "reason");
    }

    /** A dead letter that names no field. */
    public DeadLetter(String key, byte[] value, String reason, String sourceTopic, int sourcePartition,
                      long sourceOffset) {
      this(key, value, reason, sourceTopic, sourcePartition, sourceOffset, null);
    }
  }

  /**
   * Pipes one raw record (a JSON object's text, say) to the labeled topic, the trainer's input
   * with a raw {@code --input-format}.
   */
  public TopicPartition pipeRaw(String key, byte[] value) {
    return pipe(settings.topics().labeled(), key, value);
  }

  /** A trainer configured as {@code train} would be with these keys (TrainerConfig's names). */
  public TrainerTestDriver(Map<String, String> config) {
    this(TrainerSettings.from(new TrainerConfig(config)));
  }

  /** A trainer with these settings; it starts at once, from an empty registry and no checkpoint. */
  public TrainerTestDriver(TrainerSettings settings) {
    this(settings, List.of());
  }

  /**
   * A trainer that starts from a registry another writer filled (another trainer, {@code models
   * import}, a person): these versions, those of the settings' model oldest first and the last of them
   * under the trainer's alias (versions of other models are there to be read, e.g. as an
   * {@code --initial-model}), and no checkpoint. The trainer continues their numbers and, where the
   * architecture and the feature count match, warm-starts from the last one, as it does on a broker.
   */
  public TrainerTestDriver(TrainerSettings settings, List<ModelVersion> registry) {
    this.settings = settings;
    TrainerSettings.Topics t = settings.topics();
    input.topic(t.labeled(), t.partitions());
    input.topic(t.features(), t.partitions());
    input.topic(t.labels(), t.partitions());
    if (!registry.isEmpty()) {
      earlier.add(registryWriter(registry));
    }
    start();
  }

  private MockProducer<String, byte[]> registryWriter(List<ModelVersion> versions) {
    MockProducer<String, byte[]> writer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    RegistryCodec codec = new RegistryCodec();
    ModelVersion last = null;
    for (ModelVersion v : versions) {
      codec.versionRecords(v, RegistryCodec.DEFAULT_MAX_RECORD_BYTES).forEach(kv ->
          writer.send(new ProducerRecord<>(settings.topics().models(), kv.key(), kv.value())));
      if (!v.name().equals(settings.model())) {
        continue; // another model's version, e.g. an --initial-model to start from
      }
      if (last != null && v.version() <= last.version()) {
        throw new IllegalArgumentException("versions must come oldest first, found " + v.key() + " after "
            + last.key());
      }
      last = v;
    }
    if (last == null) {
      return writer;
    }
    AliasMove move = new AliasMove(settings.model(), settings.alias(), last.version(), START, "test-driver",
        "the registry the trainer starts from", 0);
    codec.moveRecords(move, AliasChange.Action.MOVE).forEach(kv ->
        writer.send(new ProducerRecord<>(settings.topics().models(), kv.key(), kv.value())));
    return writer;
  }

  private void start() {
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    Optional<byte[]> checkpoint = Optional.empty();
    for (ProducerRecord<String, byte[]> r : committed(settings.topics().checkpoint())) {
      if (settings.model().equals(r.key())) {
        checkpoint = Optional.ofNullable(r.value());
      }
    }
    meters = new SimpleMeterRegistry(); // a restart is a new process: its meters start afresh
    core = TrainerCore.inline(settings, clock, new LogConsumer(input), producer, registry(), checkpoint, meters);
    stopped = false;
  }

  /** The settings the trainer runs with (topic names included). */
  public TrainerSettings settings() {
    return settings;
  }

  // ---- input ----

  /** Pipes a {@code LabeledEvent} of a class label, stamped with the driver's clock, to the labeled topic. */
  public TopicPartition pipeLabeled(String id, float[] features, int label) {
    return pipe(settings.topics().labeled(), id, labeledSerde.serialize(null,
        new LabeledEvent(id, clock.now(), FloatLists.boxed(features), label)));
  }

  /** Pipes a {@code LabeledEvent} with a regression target. */
  public TopicPartition pipeLabeled(String id, float[] features, float target) {
    return pipe(settings.topics().labeled(), id, labeledSerde.serialize(null,
        new LabeledEvent(id, clock.now(), FloatLists.boxed(features), target)));
  }

  /** Pipes a {@code FeatureEvent} (an example whose label comes later) to the features topic. */
  public TopicPartition pipeFeatures(String id, Instant eventTime, float[] features) {
    return pipe(settings.topics().features(), id, featureSerde.serialize(null,
        new FeatureEvent(id, eventTime, FloatLists.boxed(features))));
  }

  /** Pipes a {@code LabelEvent} (a delayed label) to the labels topic. */
  public TopicPartition pipeLabel(String id, Instant eventTime, int label) {
    return pipe(settings.topics().labels(), id, labelSerde.serialize(null, new LabelEvent(id, eventTime, label)));
  }

  /** Pipes any bytes (garbage included) to an input topic, to the partition Kafka would choose for the key. */
  public TopicPartition pipe(String topic, String key, byte[] value) {
    return input.append(topic, null, key, value);
  }

  /** Pipes any bytes to one partition of an input topic. */
  public TopicPartition pipe(String topic, int partition, String key, byte[] value) {
    return input.append(topic, partition, key, value);
  }

  // ---- running ----

  /**
   * Trains on every record piped so far, as the trainer does after a poll that returned them, and
   * checkpoints or publishes wherever its schedule says (after each chunk of a batch or so).
   */
  public void process() {
    requireRunning();
    core.step();
  }

  /** Moves the trainer's clocks (monotonic and wall) forward. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time does not go back, found " + duration);
    }
    clock.nanos += duration.toNanos();
  }

  /** The driver's wall-clock time. */
  public Instant now() {
    return clock.now();
  }

  /** Stops the trainer as {@code Trainer.stop()} does: it trains on what is left, publishes and commits. */
  public void stop() {
    requireRunning();
    core.finish();
    stopped = true;
  }

  /**
   * Kills the trainer (its open transaction is lost, as after {@code kill -9}) and starts a new one
   * from what was committed: the registry, the newest checkpoint and its offsets.
   */
  public void restart() {
    earlier.add(producer);
    start();
  }

  private void requireRunning() {
    if (stopped) {
      throw new IllegalStateException("the trainer has stopped; restart() starts a new one");
    }
  }

  // ---- output: what the trainer committed ----

  /** The trainer's status, as {@code Trainer.status()} gives it. */
  public TrainerStatus status() {
    return core.status();
  }

  /**
   * The meters the running trainer records ({@code streamlearn.examples.trained} and the others
   * {@code /metrics} serves), fresh after a {@link #restart()}. Batch durations are on the driver's
   * clock, which stands still while the trainer trains.
   */
  public MeterRegistry meters() {
    return meters;
  }

  /**
   * Empty when the trainer would answer {@code /health/ready} with 200, else its reason, as of the
   * driver's clock.
   */
  public Optional<String> readiness() {
    return core.readiness();
  }

  /** The registry as a reader of the models topic would build it. */
  public RegistryState registry() {
    RegistryState registry = new RegistryState();
    for (ProducerRecord<String, byte[]> r : committed(settings.topics().models())) {
      registry.apply(r.key(), r.value());
    }
    return registry;
  }

  /** The model's versions, oldest first. */
  public List<ModelVersion> versions() {
    return List.copyOf(registry().versions(settings.model()).values());
  }

  /** The version the trainer's alias points at, if any. */
  public Optional<ModelVersion> aliased() {
    return registry().aliased(settings.model(), settings.alias());
  }

  /** Every alias change of the model, in order. */
  public List<AliasChange> aliasHistory() {
    return registry().history(settings.model());
  }

  /** The training history (PROGRESS, PUBLISHED, REJECTED, DRIFT, ALERT), in order. */
  public List<TrainingEvent> trainingEvents() {
    String topic = settings.topics().metrics();
    return committed(topic).stream().map(r -> eventSerde.deserialize(topic, r.value())).toList();
  }

  /** The training history records of one type. */
  public List<TrainingEvent> trainingEvents(TrainingEventType type) {
    return trainingEvents().stream().filter(e -> e.getType() == type).toList();
  }

  /** The dead letters, in order. */
  public List<DeadLetter> deadLetters() {
    return committed(settings.topics().deadLetter()).stream().map(r -> new DeadLetter(r.key(), r.value(),
        DeadLetters.header(r.headers(), DeadLetters.REASON), DeadLetters.header(r.headers(), DeadLetters.TOPIC),
        Integer.parseInt(DeadLetters.header(r.headers(), DeadLetters.PARTITION)),
        Long.parseLong(DeadLetters.header(r.headers(), DeadLetters.OFFSET)),
        DeadLetters.header(r.headers(), DeadLetters.FIELD))).toList();
  }

  /** The checkpoints, in order. */
  public List<CheckpointSummary> checkpoints() {
    return committed(settings.topics().checkpoint()).stream().filter(r -> settings.model().equals(r.key()))
        .map(r -> CheckpointSummary.decode(r.value())).toList();
  }

  /** Each input partition's committed offset (the next to consume), as the consumer group holds it. */
  public Map<TopicPartition, Long> committedOffsets() {
    Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
    for (MockProducer<String, byte[]> p : producers()) {
      for (Map<String, Map<TopicPartition, OffsetAndMetadata>> commit : p.consumerGroupOffsetsHistory()) {
        commit.values().forEach(byPartition -> byPartition.forEach((tp, o) -> offsets.put(tp, o.offset())));
      }
    }
    return offsets;
  }

  /** The records committed to a topic, across restarts, in order. */
  public List<ProducerRecord<String, byte[]>> committed(String topic) {
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    for (MockProducer<String, byte[]> p : producers()) {
      p.history().stream().filter(r -> r.topic().equals(topic)).forEach(out::add);
    }
    return out;
  }

  private List<MockProducer<String, byte[]>> producers() {
    List<MockProducer<String, byte[]>> all = new ArrayList<>(earlier);
    if (producer != null) {
      all.add(producer);
    }
    return all;
  }

  /** Both clocks from {@link #START}, moved only by {@link #advance}. */
  private static final class ManualClock implements TrainerClock {
    long nanos;

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public Instant now() {
      return START.plusNanos(nanos);
    }
  }
}
