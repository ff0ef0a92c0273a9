package io.streamlearn.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An input held while no model exists yet, with what is needed to score it later exactly as if it
 * had been scored on arrival: key, value, timestamp and source coordinates.
 */
record PendingEvent(String key, byte[] value, long timestamp, String topic, int partition, long offset) {

  byte[] encode() {
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + (k == null ? 0 : k.length) + 4 + t.length + 8 + 4 + 8 + 4
        + (value == null ? 0 : value.length));
    putBytes(b, k);
    putBytes(b, t);
    b.putLong(timestamp).putInt(partition).putLong(offset);
    putBytes(b, value);
    return b.array();
  }

  static PendingEvent decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[] k = getBytes(b);
    String topic = new String(getBytes(b), StandardCharsets.UTF_8);
    long ts = b.getLong();
    int partition = b.getInt();
    long offset = b.getLong();
    byte[] value = getBytes(b);
    return new PendingEvent(k == null ? null : new String(k, StandardCharsets.UTF_8), value, ts, topic,
        partition, offset);
  }

  private static void putBytes(ByteBuffer b, byte[] bytes) {
    if (bytes == null) {
      b.putInt(-1);
    } else {
      b.putInt(bytes.length).put(bytes);
    }
  }

  private static byte[] getBytes(ByteBuffer b) {
    int len = b.getInt();
    if (len < 0) {
      return null;
    }
    byte[] out = new byte[len];
    b.get(out);
    return out;
  }
}
