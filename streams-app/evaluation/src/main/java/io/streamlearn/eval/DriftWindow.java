package io.streamlearn.eval;

import java.nio.ByteBuffer;

/**
 * One open window of served inputs binned with a version's reference cuts: the events counted and,
 * per sketched feature, the events per bin. Its bytes are the store's value: {@code events}, then
 * {@code features x bins} counts, big-endian longs (the shape comes from the reference).
 */
final class DriftWindow {
  final long[][] counts;
  long events;

  DriftWindow(int features, int bins) {
    counts = new long[features][bins];
  }

  /** The window in {@code bytes}, or an empty one of this shape when null (or of another shape: a reset). */
  static DriftWindow decode(byte[] bytes, int features, int bins) {
    DriftWindow w = new DriftWindow(features, bins);
    if (bytes == null || bytes.length != 8L * (1 + (long) features * bins)) {
      return w;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    w.events = b.getLong();
    for (long[] row : w.counts) {
      for (int i = 0; i < bins; i++) {
        row[i] = b.getLong();
      }
    }
    return w;
  }

  byte[] encode() {
    int bins = counts.length == 0 ? 0 : counts[0].length;
    ByteBuffer b = ByteBuffer.allocate(8 * (1 + counts.length * bins));
    b.putLong(events);
    for (long[] row : counts) {
      for (long c : row) {
        b.putLong(c);
      }
    }
    return b.array();
  }
}
