package io.streamlearn.train;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.onnx.OnnxImporter;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryReader;
import io.streamlearn.registry.RegistryState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a trainer does before its first record: creates missing topics, reads the registry and its
 * last checkpoint, and assigns and positions its consumer.
 */
final class TrainerStart {
  private static final Logger log = LoggerFactory.getLogger(TrainerStart.class);
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private TrainerStart() {}

  /**
   * The registry as it is, the trainer's last checkpoint, the model's latest version and the
   * {@code --initial-model} to start a new model from.
   */
  record Found(RegistryState registry, Optional<Checkpoint> checkpoint, Optional<ModelVersion> latest,
               Optional<ModelVersion> initial) {}

  static void ensureTopics(TrainerSettings settings) {
    TrainerSettings.Topics t = settings.topics();
    List<KafkaSupport.TopicSpec> topics = new ArrayList<>(List.of(
        KafkaSupport.eventTopic(t.labeled(), t.partitions()),
        KafkaSupport.registryTopic(t.models()),
        // Compacted, one partition and 16 MiB records: the registry's needs are the checkpoint's.
        KafkaSupport.registryTopic(t.checkpoint()),
        KafkaSupport.eventTopic(t.metrics(), 1),
        KafkaSupport.deadLetterTopic(t.deadLetter())));
    if (settings.group().enabled()) {
      topics.add(KafkaSupport.syncTopic(settings.group().topic()));
    }
    if (settings.delayedLabels().enabled()) {
      topics.add(KafkaSupport.eventTopic(t.features(), t.partitions()));
      topics.add(KafkaSupport.eventTopic(t.labels(), t.partitions()));
    }
    KafkaSupport.ensureTopics(settings.clientProperties(), t.replicationFactor(), topics);
  }

  /** Reads the registry and the checkpoint topic to their committed ends. */
  static Found read(TrainerSettings settings) {
    return read(settings, checkpointKey(settings));
  }

  /**
   * The key of the trainer's checkpoints: the model name, or {@code <model>@<member>} for a member of
   * a trainer group.
   */
  static String checkpointKey(TrainerSettings settings) {
    return settings.group().enabled() ? settings.model() + "@" + settings.group().member() : settings.model();
  }

  /** As {@link #read(TrainerSettings)}, with the checkpoint under {@code checkpointKey}. */
  static Found read(TrainerSettings settings, String checkpointKey) {
    Map<String, Object> clientProps = settings.clientProperties();
    RegistryState registry = RegistryReader.read(clientProps, settings.topics().models(), TIMEOUT);
    Optional<Checkpoint> checkpoint = CheckpointStore.latest(clientProps, settings.topics().checkpoint(),
        checkpointKey, TIMEOUT);
    return new Found(registry, checkpoint, registry.latest(settings.model()), initialModel(settings, registry));
  }

  /**
   * The version {@code --initial-model} names: {@code name:version} or {@code name} (its latest) in
   * the registry, or an ONNX file read by {@link OnnxImporter} (a path ending in {@code .onnx}).
   *
   * @throws IllegalArgumentException when it names no version, or the file cannot be read or imported
   */
  static Optional<ModelVersion> initialModel(TrainerSettings settings, RegistryState registry) {
    String spec = settings.network().initialModel().strip();
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    if (spec.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(Path.of(spec));
      } catch (IOException e) {
        throw new IllegalArgumentException("--initial-model " + spec + ": cannot read the file: " + e.getMessage(), e);
      }
      try {
        return Optional.of(OnnxImporter.read(bytes).toVersion(settings.model(), 1, Instant.EPOCH,
            Trainer.codeVersion(), spec));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--initial-model " + spec + ": " + e.getMessage(), e);
      }
    }
    int colon = spec.lastIndexOf(':');
    String name = colon < 0 ? spec : spec.substring(0, colon);
    Optional<ModelVersion> v;
    if (colon < 0) {
      v = registry.latest(name);
    } else {
      long number;
      try {
        number = Long.parseLong(spec.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--initial-model takes name:version, name or a .onnx file, found '"
            + spec + "'", e);
      }
      v = registry.version(name, number);
    }
    return Optional.of(v.orElseThrow(() -> new IllegalArgumentException("--initial-model " + spec
        + ": the registry has no such version")).verifyChecksum());
  }

  /**
   * Assigns every partition of the input topics and positions each where the checkpoint left it,
   * or (never read before) at the consumer's reset position.
   *
   * @return each partition's progress to start from
   */
  static List<Checkpoint.PartitionProgress> assign(TrainerSettings settings, Consumer<String, byte[]> consumer,
                                                   Optional<Checkpoint> checkpoint) {
    TrainerSettings.Topics t = settings.topics();
    List<TopicPartition> partitions = new ArrayList<>(partitionsOf(consumer, t.labeled()));
    if (settings.delayedLabels().enabled()) {
      partitions.addAll(partitionsOf(consumer, t.features()));
      partitions.addAll(partitionsOf(consumer, t.labels()));
    }
    consumer.assign(partitions);
    Map<TopicPartition, Checkpoint.PartitionProgress> saved = new HashMap<>();
    checkpoint.ifPresent(c -> c.partitions().forEach(pp ->
        saved.put(new TopicPartition(pp.topic(), pp.partition()), pp)));
    List<Checkpoint.PartitionProgress> progress = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Checkpoint.PartitionProgress pp = saved.get(tp);
      if (pp != null) {
        consumer.seek(tp, pp.nextOffset());
      } else {
        long position = consumer.position(tp, TIMEOUT);
        pp = new Checkpoint.PartitionProgress(tp.topic(), tp.partition(), position, position);
      }
      progress.add(pp);
    }
    return progress;
  }

  private static List<TopicPartition> partitionsOf(Consumer<String, byte[]> consumer, String topic) {
    return consumer.partitionsFor(topic, TIMEOUT).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  /** The version the alias points at, when it is of the trainer's network (the gate compares with it). */
  static VersionPublisher.Live liveModel(RegistryState registry, String model, String alias, TrainingState state) {
    NetworkSpec spec = state.spec;
    Optional<ModelVersion> v = registry.aliased(model, alias);
    if (v.isEmpty() || !v.get().architecture().equals(spec.text())
        || v.get().signature().featureCount() != spec.inputs() || !state.readsLike(v.get())) {
      return null;
    }
    try {
      ModelVersion checked = v.get().verifyChecksum();
      return new VersionPublisher.Live(Artifacts.toModel(checked), Artifacts.pipeline(checked));
    } catch (InvalidModelException e) {
      log.warn("live version {} is invalid, the gate ignores it: {}", v.get().key(), e.getMessage());
      return null;
    }
  }

  /** The trainer's transactional producer: idempotent, acks from all replicas, room for a model. */
  static Map<String, Object> producerProperties(Map<String, Object> clientProps, String transactionalId) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaSupport.MAX_MODEL_BYTES);
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    return p;
  }
}
