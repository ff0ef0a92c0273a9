package io.streamlearn.train;

import io.streamlearn.learn.OptimizerState;
import io.streamlearn.learn.scale.OnlineScaler;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.schema.InputEvent;
import io.streamlearn.tensor.NamedTensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a {@link Checkpoint}: magic {@code SLCK}, a format version, then the fields in
 * declaration order (big-endian {@link DataOutputStream} primitives; float arrays as a length and
 * little-endian floats). The checkpoint is private to the trainer, so it is not part of the Avro
 * wire contract; the format version lets a newer trainer refuse, or migrate, an older checkpoint.
 *
 * <p>Format 2 (this one) appends the feature pipeline's state of a trainer over raw records: a
 * presence flag, then the {@code FrozenPipeline} JSON as a length and UTF-8 bytes (not
 * {@code writeUTF}, whose 64 KiB limit a vocabulary can pass). Format 1 checkpoints, written before
 * raw records existed, still decode, with no pipeline.
 *
 * <p>Format 3 appends the trainer's accumulating reference sketch of its inputs (drift without
 * labels): a presence flag, then {@code ReferenceSketch.toBytes()} as a length and the bytes.
 * Formats 1 and 2 still decode, with no sketch (the trainer starts a fresh one).
 *
 * <p>Format 4 appends, per partition in the order above, the next version's lineage ranges so far
 * with their sampling rates and skipped counts ({@code --max-lag}): a count, then each range's
 * from, until, rate (double) and skipped. Formats 1 to 3 still decode, as ranges at rate 1.
 */
final class CheckpointCodec {
  static final int MAGIC = 0x534C434B;
  static final int FORMAT = 4;
  /** The format before sampled lineage ranges; still decoded. */
  static final int FORMAT_3 = 3;
  /** The format before the reference sketch; still decoded. */
  static final int FORMAT_2 = 2;
  /** The format before the feature pipeline; still decoded. */
  static final int FORMAT_1 = 1;

  private CheckpointCodec() {}

  static byte[] encode(Checkpoint c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeUTF(c.model());
      out.writeUTF(c.architecture());
      out.writeInt(c.features());
      out.writeLong(c.lastVersion());
      out.writeLong(c.examplesSeen());
      out.writeLong(c.examplesSinceParent());
      out.writeInt(c.partitions().size());
      for (Checkpoint.PartitionProgress p : c.partitions()) {
        out.writeUTF(p.topic());
        out.writeInt(p.partition());
        out.writeLong(p.rangeStart());
        out.writeLong(p.nextOffset());
      }
      writeTensors(out, c.parameters());
      out.writeLong(c.optimizer().step());
      writeTensors(out, c.optimizer().slots());
      out.writeDouble(c.configuredLearningRate());
      out.writeDouble(c.learningRate());
      out.writeDouble(c.rate().best());
      out.writeInt(c.rate().patienceUsed());
      out.writeInt(c.rate().boostLeft());
      out.writeDouble(c.rate().rateBeforeBoost());
      out.writeBoolean(c.scaler() != null);
      if (c.scaler() != null) {
        out.writeUTF(c.scaler().kind());
        out.writeLong(c.scaler().count());
        writeDoubles(out, c.scaler().first());
        writeDoubles(out, c.scaler().second());
      }
      out.writeBoolean(c.join() != null);
      if (c.join() != null) {
        writeJoin(out, c.join());
      }
      out.writeBoolean(c.pipeline() != null);
      if (c.pipeline() != null) {
        byte[] utf8 = c.pipeline().getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      }
      out.writeBoolean(c.reference() != null);
      if (c.reference() != null) {
        byte[] sketch = c.reference();
        out.writeInt(sketch.length);
        out.write(sketch);
      }
      for (Checkpoint.PartitionProgress p : c.partitions()) {
        out.writeInt(p.ranges().size());
        for (OffsetRange r : p.ranges()) {
          out.writeLong(r.fromOffset());
          out.writeLong(r.untilOffset());
          out.writeDouble(r.sampleRate());
          out.writeLong(r.skipped());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode checkpoint of " + c.model(), e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a checkpoint.
   *
   * @throws IllegalArgumentException when the bytes are not a checkpoint of a known format
   */
  static Checkpoint decode(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      int magic = in.readInt();
      int format = in.readInt();
      if (magic != MAGIC || (format != FORMAT && format != FORMAT_3 && format != FORMAT_2 && format != FORMAT_1)) {
        throw new IllegalArgumentException("not a trainer checkpoint of format " + FORMAT_1 + " to " + FORMAT + ": magic "
            + Integer.toHexString(magic) + ", format " + format);
      }
      String model = in.readUTF();
      String architecture = in.readUTF();
      int features = in.readInt();
      long lastVersion = in.readLong();
      long seen = in.readLong();
      long sinceParent = in.readLong();
      int n = in.readInt();
      List<Checkpoint.PartitionProgress> partitions = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        partitions.add(new Checkpoint.PartitionProgress(in.readUTF(), in.readInt(), in.readLong(), in.readLong()));
      }
      List<NamedTensor> parameters = readTensors(in);
      long step = in.readLong();
      OptimizerState optimizer = new OptimizerState(step, readTensors(in));
      double configured = in.readDouble();
      double rate = in.readDouble();
      LearningRateControl.State control = new LearningRateControl.State(in.readDouble(), in.readInt(),
          in.readInt(), in.readDouble());
      OnlineScaler.State scaler = in.readBoolean()
          ? new OnlineScaler.State(in.readUTF(), in.readLong(), readDoubles(in), readDoubles(in)) : null;
      LabelJoin.State join = in.readBoolean() ? readJoin(in) : null;
      String pipeline = null;
      if (format >= 2 && in.readBoolean()) {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
          throw new IllegalArgumentException("checkpoint's feature pipeline claims " + length + " bytes, "
              + in.available() + " left");
        }
        pipeline = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      }
      byte[] reference = null;
      if (format >= 3 && in.readBoolean()) {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
          throw new IllegalArgumentException("checkpoint's reference sketch claims " + length + " bytes, "
              + in.available() + " left");
        }
        reference = in.readNBytes(length);
      }
      if (format >= 4) {
        for (int i = 0; i < partitions.size(); i++) {
          Checkpoint.PartitionProgress p = partitions.get(i);
          int count = in.readInt();
          if (count < 0 || count > in.available()) {
            throw new IllegalArgumentException("checkpoint claims " + count + " lineage ranges of " + p.topic() + "-"
                + p.partition());
          }
          List<OffsetRange> ranges = new ArrayList<>(count);
          for (int k = 0; k < count; k++) {
            ranges.add(new OffsetRange(p.topic(), p.partition(), in.readLong(), in.readLong(), in.readDouble(),
                in.readLong()));
          }
          partitions.set(i, new Checkpoint.PartitionProgress(p.topic(), p.partition(), p.rangeStart(),
              p.nextOffset(), ranges));
        }
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException(in.available() + " trailing bytes after the checkpoint");
      }
      return new Checkpoint(model, architecture, features, lastVersion, seen, sinceParent, partitions,
          parameters, optimizer, configured, rate, control, scaler, join, pipeline, reference);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated or corrupt trainer checkpoint: " + e, e);
    }
  }

  private static void writeJoin(DataOutputStream out, LabelJoin.State j) throws IOException {
    writeLongs(out, j.featureTimes());
    writeLongs(out, j.labelTimes());
    out.writeLong(j.dropped());
    out.writeInt(j.features().size());
    for (InputEvent f : j.features()) {
      out.writeUTF(f.id());
      out.writeLong(f.eventTime());
      writeFloats(out, f.features());
    }
    out.writeInt(j.labels().size());
    for (LabelJoin.PendingLabel l : j.labels()) {
      out.writeUTF(l.id());
      out.writeLong(l.eventTime());
      writeLabel(out, l.label());
    }
  }

  private static LabelJoin.State readJoin(DataInputStream in) throws IOException {
    long[] featureTimes = readLongs(in);
    long[] labelTimes = readLongs(in);
    long dropped = in.readLong();
    int nf = in.readInt();
    List<InputEvent> features = new ArrayList<>(nf);
    for (int i = 0; i < nf; i++) {
      features.add(new InputEvent(in.readUTF(), in.readLong(), readFloats(in), null));
    }
    int nl = in.readInt();
    List<LabelJoin.PendingLabel> labels = new ArrayList<>(nl);
    for (int i = 0; i < nl; i++) {
      labels.add(new LabelJoin.PendingLabel(in.readUTF(), in.readLong(), readLabel(in)));
    }
    return new LabelJoin.State(features, labels, featureTimes, labelTimes, dropped);
  }

  private static void writeLabel(DataOutputStream out, InputEvent.Label label) throws IOException {
    if (label instanceof InputEvent.ClassIndex c) {
      out.writeByte(0);
      out.writeInt(c.value());
    } else {
      out.writeByte(1);
      out.writeFloat(label.asFloat());
    }
  }

  private static InputEvent.Label readLabel(DataInputStream in) throws IOException {
    byte kind = in.readByte();
    if (kind == 0) {
      return new InputEvent.ClassIndex(in.readInt());
    }
    if (kind == 1) {
      return new InputEvent.Target(in.readFloat());
    }
    throw new IOException("unknown label kind " + kind);
  }

  static void writeTensors(DataOutputStream out, List<NamedTensor> tensors) throws IOException {
    out.writeInt(tensors.size());
    for (NamedTensor t : tensors) {
      out.writeUTF(t.name());
      int[] shape = t.shape();
      out.writeInt(shape.length);
      for (int d : shape) {
        out.writeInt(d);
      }
      writeFloats(out, t.data());
    }
  }

  static List<NamedTensor> readTensors(DataInputStream in) throws IOException {
    int n = in.readInt();
    // A tensor takes at least 10 bytes (name length, rank, value count): a count beyond that is corrupt.
    if (n < 0 || n > in.available() / 10) {
      throw new IOException("tensor count " + n + " with " + in.available() + " bytes left");
    }
    List<NamedTensor> tensors = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      int rank = in.readInt();
      if (rank < 0 || rank > in.available() / 4) {
        throw new IOException("tensor " + name + " of rank " + rank + " with " + in.available() + " bytes left");
      }
      int[] shape = new int[rank];
      for (int k = 0; k < shape.length; k++) {
        shape[k] = in.readInt();
      }
      tensors.add(new NamedTensor(name, shape, readFloats(in)));
    }
    return tensors;
  }

  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    out.writeInt(values.length);
    out.write(buf.array());
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available() / 4) {
      throw new IOException("float array of " + n + " values with " + in.available() + " bytes left");
    }
    byte[] raw = new byte[n * 4];
    in.readFully(raw);
    float[] values = new float[n];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  private static void writeLongs(DataOutputStream out, long[] values) throws IOException {
    out.writeInt(values.length);
    for (long v : values) {
      out.writeLong(v);
    }
  }

  private static long[] readLongs(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available() / 8) {
      throw new IOException("long array of " + n + " values with " + in.available() + " bytes left");
    }
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readLong();
    }
    return values;
  }

  static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
    out.writeInt(values.length);
    for (double v : values) {
      out.writeDouble(v);
    }
  }

  static double[] readDoubles(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available() / 8) {
      throw new IOException("double array of " + n + " values with " + in.available() + " bytes left");
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readDouble();
    }
    return values;
  }
}
