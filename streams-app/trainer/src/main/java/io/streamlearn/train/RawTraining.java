package io.streamlearn.train;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.RawInput;
import io.streamlearn.app.RawRecordDecoder;
import io.streamlearn.features.BadRecordException;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.RecordId;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.Signature;
import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.SparseRows;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a trainer over the users' own records needs besides its {@link TrainingState}: the decoder
 * of the input format, the record id (the id field, else the key, else the record's partition and
 * offset, so the hold-out choice stays a pure function of the record), and a one-row scratch batch
 * in which a held-out record is featurized to check its fields without fitting the pipeline.
 *
 * <p>Raw records always take the trainer's general path, one record at a time: the poller's fast
 * path decodes {@code LabeledEvent} bytes straight into a batch and does not apply. The poller
 * thread decodes them though ({@link #decodeOrRefusal}), so the training thread only learns,
 * featurizes and trains. Delayed
 * {@code LabelEvent}s do not apply either: a raw record carries its label ({@code --label-field}).
 * Not thread-safe.
 */
final class RawTraining {
  private final RawRecordDecoder decoder;
  private final RecordId id;
  private SparseRows scratch;

  RawTraining(RawInput input, Map<String, Object> clientProperties) {
    List<String> paths = new ArrayList<>(input.spec().paths());
    paths.add(input.label().path());
    this.decoder = input.decoder(paths, clientProperties);
    this.id = new RecordId(input.idField());
  }

  /**
   * The class count a network's labels may take: the output layer's width under softmax, 2 for a
   * single sigmoid output (binary cross-entropy), 0 for regression.
   */
  static int classCount(NetworkSpec spec, Loss loss) {
    Signature signature = Artifacts.signature(spec, loss);
    if (signature.task() != Signature.Task.CLASSIFICATION) {
      return 0;
    }
    return spec.outputs() == 1 ? 2 : spec.outputs();
  }

  /** Decodes a record's value; throws {@code BadRecordException} naming the field. */
  InputRecord decode(byte[] value) {
    return decoder.decode(value);
  }

  /**
   * Decodes a value for the poller thread: the record, or the {@link BadRecordException} that
   * refused it (the training thread dead-letters it in order). The decoders are thread-safe.
   */
  Object decodeOrRefusal(byte[] value) {
    try {
      return decoder.decode(value);
    } catch (BadRecordException e) {
      return e;
    }
  }

  /** The record's id for the hold-out choice. */
  String id(InputRecord record, ConsumerRecord<String, byte[]> r) {
    String found = id.of(record, r.key());
    return found != null ? found : r.topic() + "-" + r.partition() + "@" + r.offset();
  }

  /** An empty one-row batch of {@code layout}, reused. */
  SparseRows scratch(FeatureLayout layout) {
    if (scratch == null || !scratch.layout().equals(layout)) {
      scratch = new SparseRows(layout, 1);
    }
    scratch.clear();
    return scratch;
  }
}
