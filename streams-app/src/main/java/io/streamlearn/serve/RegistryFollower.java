package io.streamlearn.serve;

import io.streamlearn.app.Artifacts;
import io.streamlearn.learn.Model;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import java.util.Arrays;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global processor of the registry topic: keeps every registry record in the global store and,
 * whenever the served alias or the version it names changes, prepares the new model and swaps it
 * in. Preparing means decoding, verifying the checksum, building the model, checking it against the
 * input signature and warming it up; a version that fails is refused with the reason logged and the
 * old one keeps serving.
 */
final class RegistryFollower implements Processor<String, byte[], Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(RegistryFollower.class);
  private static final int WARM_UP_PASSES = 3;

  private final String model;
  private final String aliasKey;
  private final ServedModel served;
  private final RegistryCodec codec = new RegistryCodec();
  private KeyValueStore<String, byte[]> store;
  private long refusedVersion;

  RegistryFollower(String model, String alias, ServedModel served) {
    this.model = model;
    this.aliasKey = RegistryKey.alias(model, alias).toString();
    this.served = served;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(InferenceTopology.REGISTRY_STORE);
    resolve(); // the store is restored before init: serve what the alias names now
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
    if (record.key().equals(aliasKey) || record.key().startsWith(model + ":")) {
      resolve();
    }
  }

  private void resolve() {
    byte[] aliasBytes = store.get(aliasKey);
    if (aliasBytes == null) {
      return; // no alias yet, or deleted: keep serving what we serve
    }
    long version;
    try {
      version = ((RegistryCodec.AliasEntry) codec.decode(aliasKey, aliasBytes)).move().version();
    } catch (InvalidModelException e) {
      log.warn("alias {} is unreadable, keeping the served model: {}", aliasKey, e.getMessage());
      return;
    }
    ServedModel.Current current = served.current();
    if (current != null && current.version().version() == version || version == refusedVersion) {
      return;
    }
    String versionKey = RegistryKey.version(model, version).toString();
    byte[] versionBytes = store.get(versionKey);
    if (versionBytes == null) {
      log.info("alias {} names {}, which has not arrived yet", aliasKey, versionKey);
      return;
    }
    try {
      long started = System.nanoTime();
      // inline, or reassembled from its chunks in the store (a version larger than one record)
      ModelVersion candidate = codec.decodeVersion(versionKey, store::get);
      Model prepared = Artifacts.toModel(candidate);
      checkSignature(current, candidate);
      warmUp(candidate, prepared);
      served.swap(new ServedModel.Current(candidate, prepared, System.currentTimeMillis()));
      log.info("serving {} (was {}), prepared in {} µs", versionKey,
          current == null ? "none" : current.version().key(), (System.nanoTime() - started) / 1000);
    } catch (InvalidModelException e) {
      refusedVersion = version;
      served.countRefused();
      log.warn("refused {}: {}; still serving {}", versionKey, e.getMessage(),
          current == null ? "none" : current.version().key());
    }
  }

  private static void checkSignature(ServedModel.Current current, ModelVersion candidate) {
    if (current == null) {
      return;
    }
    var was = current.version().signature();
    var now = candidate.signature();
    if (was.featureCount() != now.featureCount() || was.task() != now.task()) {
      throw new InvalidModelException(candidate.key() + ": signature " + now.featureCount() + " features, "
          + now.task() + " does not match the served " + was.featureCount() + " features, " + was.task());
    }
  }

  private static void warmUp(ModelVersion version, Model prepared) {
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
