package io.streamlearn.eval;

import io.streamlearn.learn.drift.FeatureReference;
import io.streamlearn.learn.drift.Psi;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drift without labels: bins each served input (a {@code LabeledEvent} or {@code FeatureEvent} on a
 * topic inference reads) with the cuts of the reference sketch of the version the served alias
 * names now ({@link FeatureReference}, from the version's {@code reference.sketch} annotation in
 * the registry's global store), in tumbling windows of {@code drift.window.events} events per
 * version. When a window is full, the PSI of each sketched feature against the reference ({@link
 * Psi}) is computed; if any reaches {@code drift.psi.threshold} one {@code DRIFT} training event
 * names those features and their PSI; then the window starts afresh. So a version drifts at most
 * once per window, and no label is needed.
 *
 * <p>Windows are per stream task (input partition): a task sees its partitions' events only, and a
 * window is full when that task has counted its share. Events the version cannot be compared on are
 * skipped, not dead-lettered (inference dead-letters bad input already): undecodable values (raw
 * records of a model over the user's own records, whose versions carry no sketch), no served version
 * yet, a version without a sketch, a feature count other than the reference's.
 */
final class DriftMonitor implements Processor<String, byte[], String, byte[]> {
  private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);

  private final String model;
  private final DriftSettings settings;
  private final String labeledTopic;
  private final InputEventDecoder labeledDecoder = InputEventDecoder.forLabeled();
  private final InputEventDecoder featuresDecoder = InputEventDecoder.forFeatures();
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<TrainingEvent> events = AvroSerde.of(TrainingEvent.class);
  /** References by version; versions are immutable, so each is read once (empty: the version has none). */
  private final Map<Long, Optional<FeatureReference>> references = new HashMap<>();
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> registry;
  private KeyValueStore<String, byte[]> windows;
  private long skipped;

  DriftMonitor(String model, DriftSettings settings, String labeledTopic) {
    this.model = model;
    this.settings = settings;
    this.labeledTopic = labeledTopic;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    registry = context.getStateStore(EvaluationTopology.REGISTRY_STORE);
    windows = context.getStateStore(DriftTopology.WINDOWS_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String topic = context.recordMetadata().map(m -> m.topic()).orElse(labeledTopic);
    InputEvent event;
    try {
      event = (topic.equals(labeledTopic) ? labeledDecoder : featuresDecoder).decode(topic, record.value());
    } catch (RuntimeException e) { // a SerializationException or a malformed body: not ours to dead-letter
      skip("undecodable on {}: {}", topic, e.getMessage());
      return;
    }
    Long version = servedVersion();
    if (version == null) {
      skip("no version behind {}@{} yet", model, settings.alias());
      return;
    }
    FeatureReference reference = reference(version);
    if (reference == null || reference.sketched() == 0) {
      skip("{}:{} carries no reference sketch", model, version);
      return;
    }
    float[] x = event.features();
    if (x.length != reference.features()) {
      skip("{} features where {}:{} reads {}", x.length, model, version, reference.features());
      return;
    }
    String key = RegistryKey.version(model, version).toString();
    DriftWindow w = DriftWindow.decode(windows.get(key), reference.sketched(), reference.bins());
    for (int f = 0; f < reference.sketched(); f++) {
      if (Float.isFinite(x[f])) {
        w.counts[f][reference.bin(f, x[f])]++;
      }
    }
    w.events++;
    if (w.events < settings.windowEvents()) {
      windows.put(key, w.encode());
      return;
    }
    windows.delete(key); // the window closes: the next event opens a fresh one
    judge(version, reference, w, record.timestamp());
  }

  private void judge(long version, FeatureReference reference, DriftWindow w, long timestamp) {
    Map<String, Double> drifted = new LinkedHashMap<>();
    StringJoiner named = new StringJoiner(", ");
    double max = 0;
    for (int f = 0; f < reference.sketched(); f++) {
      if (java.util.Arrays.stream(w.counts[f]).sum() == 0) {
        continue; // no finite value of this feature in the window
      }
      double psi = Psi.of(reference.counts()[f], w.counts[f]);
      max = Math.max(max, psi);
      if (psi >= settings.threshold()) {
        drifted.put("psi." + f, psi);
        named.add(String.format(Locale.ROOT, "feature %d PSI %.3f", f, psi));
      }
    }
    log.debug("{}:{} drift window of {} events: max PSI {}", model, version, w.events, max);
    if (drifted.isEmpty()) {
      return;
    }
    int[] unsketched = reference.unsketched();
    String message = String.format(Locale.ROOT,
        "served inputs drift from %s:%d's training reference (alias %s): %s over %d events; threshold %.3g%s",
        model, version, settings.alias(), named, w.events, settings.threshold(),
        unsketched[0] < unsketched[1] ? "; features " + unsketched[0] + " to " + (unsketched[1] - 1) + " unsketched"
            : "");
    Map<String, Double> metrics = new LinkedHashMap<>(drifted);
    metrics.put("psi.threshold", settings.threshold());
    metrics.put("window.events", (double) w.events);
    TrainingEvent drift = TrainingEvent.newBuilder()
        .setModel(model)
        .setType(TrainingEventType.DRIFT)
        .setTimestamp(Instant.ofEpochMilli(timestamp))
        .setModelVersion(version)
        .setExamplesSeen(w.events)
        .setLearningRate(0) // not a trainer's event: no learning rate
        .setMetrics(metrics)
        .setMessage(message)
        .build();
    log.warn("DRIFT {}", message);
    context.forward(new Record<>(model, events.serialize(null, drift), timestamp), DriftTopology.METRICS_SINK);
  }

  /** The version the served alias names in the registry view, or null. */
  private Long servedVersion() {
    String key = RegistryKey.alias(model, settings.alias()).toString();
    byte[] bytes = registry.get(key);
    if (bytes == null) {
      return null;
    }
    try {
      return codec.decode(key, bytes) instanceof RegistryCodec.AliasEntry a ? a.move().version() : null;
    } catch (InvalidModelException e) {
      skip("{} is unreadable: {}", key, e.getMessage());
      return null;
    }
  }

  private FeatureReference reference(long version) {
    Optional<FeatureReference> known = references.get(version);
    if (known != null) {
      return known.orElse(null);
    }
    String key = RegistryKey.version(model, version).toString();
    byte[] bytes = registry.get(key);
    if (bytes == null) {
      return null; // the alias arrived before its version: look again next time
    }
    FeatureReference reference = null;
    try {
      RegistryCodec.Entry e = codec.decode(key, bytes);
      ModelVersion v = e instanceof RegistryCodec.VersionEntry ve ? ve.version()
          : e instanceof RegistryCodec.ManifestEntry me ? me.metadata() : null;
      String text = v == null ? null : v.annotations().get(FeatureReference.ANNOTATION);
      reference = text == null ? null : FeatureReference.parse(text);
      log.info("{}: drift is watched against {}", key, reference == null ? "nothing (no reference sketch)" : reference);
    } catch (InvalidModelException | IllegalArgumentException e) {
      log.warn("{}: its reference sketch is unreadable, its inputs are not watched for drift: {}", key, e.getMessage());
    }
    references.put(version, Optional.ofNullable(reference));
    return reference;
  }

  private void skip(String format, Object... args) {
    if (skipped++ % 10_000 == 0) { // the first, then every 10,000th: a raw-record topic would flood the log
      log.debug("drift: skipped an event (" + skipped + " so far): " + format, args);
    }
  }
}
