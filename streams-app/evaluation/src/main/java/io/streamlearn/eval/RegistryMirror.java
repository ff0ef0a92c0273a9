package io.streamlearn.eval;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The global processor of the registry topic: keeps each registry record as it came (a tombstone
 * deletes), the same bytes Kafka Streams restores the global store with, so a restart and a running
 * instance see one view. {@link Lineages} decodes what it needs from it, lazily.
 */
final class RegistryMirror implements Processor<String, byte[], Void, Void> {
  private KeyValueStore<String, byte[]> store;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(EvaluationTopology.REGISTRY_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
  }
}
