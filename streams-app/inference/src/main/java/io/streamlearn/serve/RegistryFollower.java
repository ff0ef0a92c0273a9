package io.streamlearn.serve;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.LogContext;
import io.streamlearn.app.RawInput;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.learn.Model;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global processor of the registry topic: keeps every registry record in the global store and,
 * whenever a followed alias or the version it names changes, prepares the new model and swaps it
 * in. Preparing means decoding, verifying the checksum, building the model, checking it against the
 * input signature and warming it up; a version that fails is refused with the reason logged and
 * reported to the {@link RefusalSink} (the dead-letter topic), and the old one keeps serving.
 *
 * <p>It follows one alias per {@link ServedModel}: the served alias and, optionally, the shadow
 * (challenger) alias and the canary alias, each prepared, refused and swapped alike, so a canary's
 * swap pauses no stream thread either.
 *
 * <p>A version's feature pipeline is parsed here, once, when the version is prepared, and travels
 * with it in {@link ServedModel.Current}. A service reading raw records refuses a version without a
 * pipeline (it could not featurize them), and a service reading events refuses one with a pipeline
 * (its events are not the inputs that version reads), as it refuses a version of another signature.
 */
final class RegistryFollower implements Processor<String, byte[], Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(RegistryFollower.class);
  private static final int WARM_UP_PASSES = 3;

  /** An alias this follower serves into a model holder. */
  static final class Target {
    final String aliasKey;
    final ServedModel served;
    long refusedVersion;

    Target(String model, String alias, ServedModel served) {
      this.aliasKey = RegistryKey.alias(model, alias).toString();
      this.served = served;
    }
  }

  private final String model;
  private final String registryTopic;
  private final List<Target> targets;
  private final RefusalSink refusals;
  private final RawInput input;
  private final RegistryCodec codec = new RegistryCodec();
  private ProcessorContext<Void, Void> context;
  private KeyValueStore<String, byte[]> store;

  RegistryFollower(String model, String registryTopic, List<Target> targets, RefusalSink refusals, RawInput input) {
    this.input = input;
    this.model = model;
    this.registryTopic = registryTopic;
    this.targets = targets;
    this.refusals = refusals;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    LogContext.model(model); // the global thread's lines name the model from here on
    this.context = context;
    store = context.getStateStore(InferenceTopology.REGISTRY_STORE);
    for (Target t : targets) {
      resolve(t, -1, -1, -1); // the store is restored before init: serve what the alias names now
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      log.warn("registry record without key ignored");
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
    boolean ofModel = record.key().startsWith(model + ":");
    RecordMetadata meta = context.recordMetadata().orElse(null);
    for (Target t : targets) {
      if (record.key().equals(t.aliasKey) || ofModel) {
        resolve(t, record.timestamp(), meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset());
      }
    }
  }

  /**
   * Swaps in what the target's alias names, if that changed and passes the checks.
   *
   * @param publishedAt the Kafka timestamp of the registry record that completed the publication
   *     (the alias move, or the version it names when that arrives later), -1 when restoring
   */
  private void resolve(Target t, long publishedAt, int partition, long offset) {
    byte[] aliasBytes = store.get(t.aliasKey);
    if (aliasBytes == null) {
      return; // no alias yet, or deleted: keep serving what we serve
    }
    AliasMove move;
    try {
      move = ((RegistryCodec.AliasEntry) codec.decode(t.aliasKey, aliasBytes)).move();
    } catch (InvalidModelException | ClassCastException e) {
      log.warn("alias {} is unreadable, keeping the served model: {}", t.aliasKey, e.getMessage());
      return;
    }
    long version = move.version();
    ServedModel.Current current = t.served.current();
    if (current != null && current.version().version() == version || version == t.refusedVersion) {
      return;
    }
    String versionKey = RegistryKey.version(model, version).toString();
    byte[] versionBytes = store.get(versionKey);
    if (versionBytes == null) {
      log.info("alias {} names {}, which has not arrived yet", t.aliasKey, versionKey);
      return;
    }
    ServedModel.Refusal check = ServedModel.Refusal.DECODE; // the check under way, for the refusal's reason tag
    try {
      long started = System.nanoTime();
      ModelVersion candidate = decodeVersion(versionKey, versionBytes);
      check = ServedModel.Refusal.MODEL;
      Model prepared = Artifacts.toModel(candidate);
      check = ServedModel.Refusal.INPUT;
      FrozenPipeline pipeline = checkInput(candidate, input);
      check = ServedModel.Refusal.SIGNATURE;
      checkSignature(current, candidate);
      check = ServedModel.Refusal.WARM_UP;
      warmUp(candidate, prepared);
      long micros = (System.nanoTime() - started) / 1000;
      t.served.swap(new ServedModel.Current(candidate, prepared, System.currentTimeMillis(), publishedAt,
          move.movedAt().toEpochMilli(), micros, pipeline));
      log.atInfo().addKeyValue(LogContext.VERSION, version).log("{} serves {} (was {}), prepared in {} µs",
          t.aliasKey, versionKey, current == null ? "none" : current.version().key(), micros);
    } catch (InvalidModelException e) {
      t.refusedVersion = version;
      t.served.countRefused(check);
      log.atWarn().addKeyValue(LogContext.VERSION, version).log("refused {} for {}: {}; still serving {}",
          versionKey, t.aliasKey, e.getMessage(), current == null ? "none" : current.version().key());
      refusals.refused(versionKey, versionBytes, e.getMessage(), registryTopic, partition, offset);
    }
  }

  /**
   * Decodes and checksum-verifies one version from its registry record. The one place that knows
   * how a version is stored on the registry topic.
   *
   * @throws InvalidModelException when the record is not a valid version
   */
  private ModelVersion decodeVersion(String versionKey, byte[] bytes) {
    // inline, or reassembled from its chunks in the store (a version larger than one record)
    return codec.decodeVersion(versionKey, key -> key.equals(versionKey) ? bytes : store.get(key));
  }

  /**
   * The version's pipeline, parsed; refuses a version whose input is not what this service reads
   * (the predict API checks a version it loads on demand the same way).
   */
  static FrozenPipeline checkInput(ModelVersion candidate, RawInput input) {
    FrozenPipeline pipeline = Artifacts.pipeline(candidate);
    if (input.raw() && pipeline == null) {
      throw new InvalidModelException(candidate.key() + ": has no feature pipeline, so it cannot score the raw "
          + input.format().text() + " records this service reads (--input-format); it reads LabeledEvent/FeatureEvent");
    }
    if (input.raw() && input.spec() != null && !input.spec().equals(pipeline.spec())) {
      throw new InvalidModelException(candidate.key() + ": its feature spec '" + pipeline.spec().text()
          + "' is not the --feature-spec this service was started with, '" + input.spec().text() + "'");
    }
    if (!input.raw() && pipeline != null) {
      throw new InvalidModelException(candidate.key() + ": reads raw records through a feature pipeline ("
          + pipeline.spec().text() + "); this service reads events (--input-format event)");
    }
    return pipeline;
  }

  private static void checkSignature(ServedModel.Current current, ModelVersion candidate) {
    if (current == null) {
      return;
    }
    var was = current.version().signature();
    var now = candidate.signature();
    // Over raw records each version featurizes with its own pipeline: its width may differ.
    boolean ownPipelines = current.pipeline() != null && candidate.hasFeaturePipeline();
    if ((!ownPipelines && was.featureCount() != now.featureCount()) || was.task() != now.task()) {
      throw new InvalidModelException(candidate.key() + ": signature " + now.featureCount() + " features, "
          + now.task() + " does not match the served " + was.featureCount() + " features, " + was.task());
    }
  }

  static void warmUp(ModelVersion version, Model prepared) {
    float[] input = new float[version.signature().featureCount()];
    for (int i = 0; i < WARM_UP_PASSES; i++) {
      float[] out = prepared.predict(input);
      for (float v : out) {
        if (!Float.isFinite(v)) {
          throw new InvalidModelException(version.key() + ": warm-up output is not finite: "
              + Arrays.toString(out));
        }
      }
    }
  }
}
