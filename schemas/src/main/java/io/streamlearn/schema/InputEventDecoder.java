package io.streamlearn.schema;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decodes {@link LabeledEvent} and {@link FeatureEvent} values straight into {@link InputEvent}s.
 *
 * <p>Values in the single-object encoding of the current schemas are parsed by hand into a
 * primitive {@code float[]}, without Avro's generic machinery or boxed floats; that is the hot
 * path of both the trainer and the inference processors. Anything else (Avro JSON, an older
 * registered writer schema) goes through {@link AvroSerde}. A binary value of either record type
 * is accepted on any topic; JSON is read as the record type this decoder expects.
 *
 * <p>Every failure is a {@link SerializationException} with the reason. Thread-safe.
 */
public final class InputEventDecoder {
  private static final long LABELED_FP = AvroSerde.fingerprint(LabeledEvent.getClassSchema());
  private static final long FEATURE_FP = AvroSerde.fingerprint(FeatureEvent.getClassSchema());
  /** Guards against absurd lengths in corrupt values before anything is allocated. */
  private static final int MAX_FEATURES = 1 << 24;

  private final boolean expectLabeled;
  private final AvroSerde<LabeledEvent> labeledSerde = AvroSerde.of(LabeledEvent.class);
  private final AvroSerde<FeatureEvent> featureSerde = AvroSerde.of(FeatureEvent.class);

  private InputEventDecoder(boolean expectLabeled) {
    this.expectLabeled = expectLabeled;
  }

  /** A decoder for a topic of {@link LabeledEvent}s. */
  public static InputEventDecoder forLabeled() {
    return new InputEventDecoder(true);
  }

  /** A decoder for a topic of {@link FeatureEvent}s. */
  public static InputEventDecoder forFeatures() {
    return new InputEventDecoder(false);
  }

  /** Decodes one value; {@code topic} only names the source in error messages. */
  public InputEvent decode(String topic, byte[] value) {
    if (value == null) {
      throw new SerializationException("null value (tombstone) on event topic " + topic);
    }
    if (value.length >= AvroSerde.HEADER_LENGTH && value[0] == AvroSerde.MAGIC_0
        && value[1] == AvroSerde.MAGIC_1) {
      long fp = readLongLe(value, 2);
      if (fp == LABELED_FP) {
        return new Reader(topic, value).read(true);
      }
      if (fp == FEATURE_FP) {
        return new Reader(topic, value).read(false);
      }
    }
    // JSON, an unknown fingerprint or garbage: the serde gives the precise error.
    return expectLabeled
        ? InputEvent.of(labeledSerde.deserialize(topic, value))
        : InputEvent.of(featureSerde.deserialize(topic, value));
  }

  private static long readLongLe(byte[] b, int off) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xFFL);
    }
    return v;
  }

  /** A cursor over one binary body; the field order is that of the .avsc files. */
  private static final class Reader {
    private final String topic;
    private final byte[] b;
    private int pos = AvroSerde.HEADER_LENGTH;

    Reader(String topic, byte[] b) {
      this.topic = topic;
      this.b = b;
    }

    InputEvent read(boolean labeled) {
      String id = readString();
      long eventTime = readLong();
      float[] features = readFloatArray();
      InputEvent.Label label = null;
      if (labeled) {
        long branch = readLong();
        if (branch == 0) {
          label = new InputEvent.ClassIndex(readInt());
        } else if (branch == 1) {
          label = new InputEvent.Target(readFloat());
        } else {
          throw fail("label union branch " + branch + " does not exist");
        }
      }
      if (pos != b.length) {
        throw fail((b.length - pos) + " trailing bytes after the record body");
      }
      return new InputEvent(id, eventTime, features, label);
    }

    private long readLong() {
      long raw = 0;
      int shift = 0;
      while (true) {
        if (pos >= b.length) {
          throw fail("truncated varint");
        }
        int x = b[pos++] & 0xFF;
        raw |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          break;
        }
        shift += 7;
        if (shift > 63) {
          throw fail("varint longer than 10 bytes");
        }
      }
      return (raw >>> 1) ^ -(raw & 1);
    }

    private int readInt() {
      long v = readLong();
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw fail("int out of range: " + v);
      }
      return (int) v;
    }

    private float readFloat() {
      need(4);
      int bits = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16
          | (b[pos + 3] & 0xFF) << 24;
      pos += 4;
      return Float.intBitsToFloat(bits);
    }

    private String readString() {
      long len = readLong();
      if (len < 0) {
        throw fail("negative string length " + len);
      }
      need(len);
      String s = new String(b, pos, (int) len, StandardCharsets.UTF_8);
      pos += (int) len;
      return s;
    }

    private float[] readFloatArray() {
      float[] out = new float[0];
      int size = 0;
      while (true) {
        long count = readLong();
        if (count == 0) {
          break;
        }
        if (count < 0) { // a block with its byte size, which we do not need
          count = -count;
          readLong();
        }
        if (count > MAX_FEATURES || size + count > MAX_FEATURES) {
          throw fail("feature array longer than " + MAX_FEATURES);
        }
        need(count * 4);
        if (out.length < size + count) {
          out = java.util.Arrays.copyOf(out, (int) (size + count));
        }
        for (int i = 0; i < count; i++) {
          out[size++] = readFloat();
        }
      }
      return out.length == size ? out : java.util.Arrays.copyOf(out, size);
    }

    private void need(long n) {
      if (n > b.length - pos) {
        throw fail("truncated body: need " + n + " bytes at offset " + pos + ", have "
            + (b.length - pos));
      }
    }

    private SerializationException fail(String reason) {
      return new SerializationException("cannot decode event from topic " + topic + ": " + reason);
    }
  }
}
