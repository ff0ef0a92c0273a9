package io.streamlearn.train;

import io.streamlearn.learn.scale.OnlineScaler;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.tensor.NamedTensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The records of a trainer group's sync topic and their bytes (magic {@code SLGC} or {@code SLGR},
 * a format version, then the fields in order, as {@link CheckpointCodec} writes its own). Private to
 * the trainers of a model, like the checkpoint: not part of the Avro wire contract.
 *
 * <p>Keys: {@code <model>/c/<member>/<id>} for a {@link Contribution} (unique: a member never sends
 * two under one key, so compaction cannot drop one not yet folded; the round that folds it writes
 * its tombstone), {@code <model>/round} for the latest {@link Round}.
 */
public final class GroupRecords {
  static final int CONTRIBUTION_MAGIC = 0x534C4743;
  static final int ROUND_MAGIC = 0x534C4752;
  static final int FORMAT = 1;

  private GroupRecords() {}

  /**
   * One member's update, sent in the transaction that commits the offsets it covers.
   *
   * @param id unique among the member's contributions ({@code <incarnation>-<n>})
   * @param baseRound the round the member had adopted last when it sent this (-1 for none)
   * @param examples the examples trained on since the member's previous contribution
   * @param update the member's replica minus its anchor (the weights it adopted or sent last)
   * @param ranges the input offsets it consumed since its previous contribution: trained, held out,
   *     dead-lettered or sampled out; every consumed offset is in exactly one contribution
   * @param sentAtMs wall-clock time of sending
   * @param last the member is stopping: the publisher does not wait for it in later rounds
   */
  public record Contribution(String model, String member, String id, long baseRound, long examples,
                             List<NamedTensor> update, List<OffsetRange> ranges, long sentAtMs, boolean last) {
    /** Validates and copies. */
    public Contribution {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(id, "id");
      if (examples < 0) {
        throw new IllegalArgumentException("examples must be >= 0, found " + examples);
      }
      update = List.copyOf(update);
      ranges = List.copyOf(ranges);
    }

    /** A contribution of a member that goes on training. */
    public Contribution(String model, String member, String id, long baseRound, long examples,
                        List<NamedTensor> update, List<OffsetRange> ranges, long sentAtMs) {
      this(model, member, id, baseRound, examples, update, ranges, sentAtMs, false);
    }

    /** The record key. */
    public String key() {
      return contributionKey(model, member, id);
    }
  }

  /**
   * The group's weights after a round, written by the publishing member with the tombstones of the
   * contributions it folded (and the version it published, if any) in one transaction.
   *
   * @param round 0 for the group's start, then one more per round
   * @param leader the member that folded it
   * @param lastVersion the newest version the group published (the parent of the next)
   * @param examplesSeen examples trained on by the group since the model's first version
   * @param examplesSinceParent of those, not yet in a published version
   * @param learningRate the base learning rate the members adopt (plateau reductions are the publisher's)
   * @param scaler the publishing member's scaler statistics, which the members adopt; null without a scaler
   * @param parameters the group's weights
   * @param unpublished the folded contributions' ranges not yet in a published version: the next one's lineage
   * @param folded the keys of the contributions this round folded
   */
  public record Round(String model, long round, String leader, String architecture, int features, long lastVersion,
                      long examplesSeen, long examplesSinceParent, double learningRate, OnlineScaler.State scaler,
                      List<NamedTensor> parameters, List<OffsetRange> unpublished, List<String> folded,
                      long createdAtMs) {
    /** Validates and copies. */
    public Round {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(leader, "leader");
      Objects.requireNonNull(architecture, "architecture");
      if (round < 0 || lastVersion < 0 || examplesSinceParent < 0 || examplesSeen < examplesSinceParent) {
        throw new IllegalArgumentException("need round, lastVersion >= 0 and 0 <= examplesSinceParent <= examplesSeen,"
            + " found " + round + ", " + lastVersion + ", " + examplesSinceParent + ", " + examplesSeen);
      }
      parameters = List.copyOf(parameters);
      unpublished = List.copyOf(unpublished);
      folded = List.copyOf(folded);
    }
  }

  /** The key of a model's latest round. */
  public static String roundKey(String model) {
    return model + "/round";
  }

  /** The key of a contribution. */
  public static String contributionKey(String model, String member, String id) {
    return model + "/c/" + member + "/" + id;
  }

  /** Whether {@code key} is a contribution of {@code model}. */
  public static boolean isContribution(String model, String key) {
    return key != null && key.startsWith(model + "/c/");
  }

  /** The member id in a contribution key of {@code model}. */
  static String memberOf(String model, String key) {
    String rest = key.substring((model + "/c/").length());
    int slash = rest.lastIndexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  public static byte[] encode(Contribution c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(CONTRIBUTION_MAGIC);
      out.writeInt(FORMAT);
      out.writeUTF(c.model());
      out.writeUTF(c.member());
      out.writeUTF(c.id());
      out.writeLong(c.baseRound());
      out.writeLong(c.examples());
      CheckpointCodec.writeTensors(out, c.update());
      writeRanges(out, c.ranges());
      out.writeLong(c.sentAtMs());
      out.writeBoolean(c.last());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode contribution " + c.key(), e);
    }
    return bytes.toByteArray();
  }

  public static byte[] encode(Round r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(ROUND_MAGIC);
      out.writeInt(FORMAT);
      out.writeUTF(r.model());
      out.writeLong(r.round());
      out.writeUTF(r.leader());
      out.writeUTF(r.architecture());
      out.writeInt(r.features());
      out.writeLong(r.lastVersion());
      out.writeLong(r.examplesSeen());
      out.writeLong(r.examplesSinceParent());
      out.writeDouble(r.learningRate());
      out.writeBoolean(r.scaler() != null);
      if (r.scaler() != null) {
        out.writeUTF(r.scaler().kind());
        out.writeLong(r.scaler().count());
        CheckpointCodec.writeDoubles(out, r.scaler().first());
        CheckpointCodec.writeDoubles(out, r.scaler().second());
      }
      CheckpointCodec.writeTensors(out, r.parameters());
      writeRanges(out, r.unpublished());
      out.writeInt(r.folded().size());
      for (String k : r.folded()) {
        out.writeUTF(k);
      }
      out.writeLong(r.createdAtMs());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode round " + r.round() + " of " + r.model(), e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a contribution.
   *
   * @throws IllegalArgumentException when the bytes are not one of a known format
   */
  public static Contribution decodeContribution(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      header(in, CONTRIBUTION_MAGIC, "contribution");
      return new Contribution(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readLong(),
          CheckpointCodec.readTensors(in), readRanges(in), in.readLong(), in.readBoolean());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a trainer group contribution: " + (e instanceof EOFException
          ? "the bytes end before the record does (truncated)" : e.getMessage()), e);
    }
  }

  /**
   * Decodes a round.
   *
   * @throws IllegalArgumentException when the bytes are not one of a known format
   */
  public static Round decodeRound(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      header(in, ROUND_MAGIC, "round");
      String model = in.readUTF();
      long round = in.readLong();
      String leader = in.readUTF();
      String architecture = in.readUTF();
      int features = in.readInt();
      long lastVersion = in.readLong();
      long seen = in.readLong();
      long sinceParent = in.readLong();
      double lr = in.readDouble();
      OnlineScaler.State scaler = null;
      if (in.readBoolean()) {
        scaler = new OnlineScaler.State(in.readUTF(), in.readLong(), CheckpointCodec.readDoubles(in),
            CheckpointCodec.readDoubles(in));
      }
      List<NamedTensor> parameters = CheckpointCodec.readTensors(in);
      List<OffsetRange> unpublished = readRanges(in);
      int n = in.readInt();
      if (n < 0 || n > value.length) {
        throw new IOException("folded count " + n);
      }
      List<String> folded = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        folded.add(in.readUTF());
      }
      return new Round(model, round, leader, architecture, features, lastVersion, seen, sinceParent, lr, scaler,
          parameters, unpublished, folded, in.readLong());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a trainer group round: " + (e instanceof EOFException
          ? "the bytes end before the record does (truncated)" : e.getMessage()), e);
    }
  }

  private static void header(DataInputStream in, int magic, String what) throws IOException {
    int m = in.readInt();
    int format = in.readInt();
    if (m != magic) {
      throw new IOException("magic " + Integer.toHexString(m) + " is not a " + what + "'s");
    }
    if (format != FORMAT) {
      throw new IOException(what + " format " + format + " is not " + FORMAT + " (written by another release)");
    }
  }

  private static void writeRanges(DataOutputStream out, List<OffsetRange> ranges) throws IOException {
    out.writeInt(ranges.size());
    for (OffsetRange r : ranges) {
      out.writeUTF(r.topic());
      out.writeInt(r.partition());
      out.writeLong(r.fromOffset());
      out.writeLong(r.untilOffset());
      out.writeDouble(r.sampleRate());
      out.writeLong(r.skipped());
    }
  }

  private static List<OffsetRange> readRanges(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available() / 30) {
      throw new IOException("range count " + n + " with " + in.available() + " bytes left");
    }
    List<OffsetRange> ranges = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ranges.add(new OffsetRange(in.readUTF(), in.readInt(), in.readLong(), in.readLong(), in.readDouble(),
          in.readLong()));
    }
    return ranges;
  }
}
