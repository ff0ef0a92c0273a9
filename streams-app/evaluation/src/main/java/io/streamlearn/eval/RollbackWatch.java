package io.streamlearn.eval;

import java.nio.ByteBuffer;

/**
 * What {@link RollbackGuard} knows of one alias move it watches: the move (version, predecessor,
 * when), the new version's leak-free classifications since the guard first saw the move, and
 * whether the test has decided. Stored per {@code model@alias} in a changelogged store.
 *
 * @param version the version the alias was moved to
 * @param previous the version it pointed at before (the predecessor), >= 1
 * @param movedAt the move's time, millis (with the version, names the move)
 * @param n leak-free classifications of the version under the alias since the move, >= 0
 * @param errors the wrong ones among them, in [0, n]
 * @param decided the test has decided (rolled back or kept); nothing more is counted
 */
record RollbackWatch(long version, long previous, long movedAt, long n, long errors, boolean decided) {
  private static final byte FORMAT = 1;
  private static final int BYTES = 1 + 5 * Long.BYTES + 1;

  RollbackWatch {
    if (previous < 1) {
      throw new IllegalArgumentException("previous must be >= 1, found " + previous);
    }
    if (n < 0 || errors < 0 || errors > n) {
      throw new IllegalArgumentException("errors must be in [0, n], found n=" + n + " errors=" + errors);
    }
  }

  boolean watches(long version, long movedAt) {
    return this.version == version && this.movedAt == movedAt;
  }

  RollbackWatch count(boolean wrong) {
    return new RollbackWatch(version, previous, movedAt, n + 1, errors + (wrong ? 1 : 0), decided);
  }

  RollbackWatch decide() {
    return new RollbackWatch(version, previous, movedAt, n, errors, true);
  }

  byte[] encode() {
    return ByteBuffer.allocate(BYTES).put(FORMAT).putLong(version).putLong(previous).putLong(movedAt).putLong(n)
        .putLong(errors).put((byte) (decided ? 1 : 0)).array();
  }

  static RollbackWatch decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length != BYTES || b.get() != FORMAT) {
      throw new IllegalStateException("unknown rollback watch format (" + bytes.length + " bytes)");
    }
    return new RollbackWatch(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.get() == 1);
  }
}
