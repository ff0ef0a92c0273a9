package io.streamlearn.features;

import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.SparseRows;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A spec compiled for featurizing: the column and slot offsets of each field, its compiled time
 * pattern. Reading a record ({@link #read}) checks every field before anything is written or
 * learned, so a bad record leaves neither a half-written row nor half-updated statistics.
 * Immutable and thread-safe; the statistics it writes with are passed in.
 */
final class Featurizer {

  final FeatureSpec spec;
  final FeatureLayout layout;
  final List<String> denseColumns;
  private final String[] paths;
  private final Transform[] transforms;
  private final boolean[] optional;
  private final int[] denseStart;
  /** Offset of a sparse field's first slot within the sparse block, -1 for dense fields. */
  private final int[] slotOffset;
  private final Timestamps.Pattern[] patterns;
  private final Kind[] kinds;
  /** Slots of a sparse field (category: capacity + 1, the last one "other"), 0 for dense fields. */
  private final int[] sizes;
  /** Per time field, per key: the UTF-8 bytes of {@code part=}; of {@code *path=} per crossed field. Null for other fields. */
  private final byte[][][] keyPrefixes;
  private final byte[][][][] crossPrefixes;

  /** The transform of a field, as a constant to switch on (Java 17 has no switch over sealed types). */
  enum Kind {
    NUMERIC, BOOL, CATEGORY, HASH, TOKENS, TIME, ARRAY
  }

  static Kind kindOf(Transform transform) {
    if (transform instanceof Transform.Numeric) {
      return Kind.NUMERIC;
    } else if (transform instanceof Transform.Bool) {
      return Kind.BOOL;
    } else if (transform instanceof Transform.Category) {
      return Kind.CATEGORY;
    } else if (transform instanceof Transform.Hash) {
      return Kind.HASH;
    } else if (transform instanceof Transform.Tokens) {
      return Kind.TOKENS;
    } else if (transform instanceof Transform.Time) {
      return Kind.TIME;
    }
    return Kind.ARRAY;
  }

  Featurizer(FeatureSpec spec) {
    this.spec = spec;
    int n = spec.fields().size();
    paths = new String[n];
    transforms = new Transform[n];
    optional = new boolean[n];
    denseStart = new int[n];
    slotOffset = new int[n];
    patterns = new Timestamps.Pattern[n];
    kinds = new Kind[n];
    sizes = new int[n];
    keyPrefixes = new byte[n][][];
    crossPrefixes = new byte[n][][][];
    List<String> columns = new ArrayList<>();
    List<FeatureLayout.SparseField> sparse = new ArrayList<>();
    int sparseWidth = 0;
    for (int f = 0; f < n; f++) {
      FieldSpec field = spec.fields().get(f);
      String path = field.path();
      paths[f] = path;
      transforms[f] = field.transform();
      optional[f] = field.optional();
      denseStart[f] = columns.size();
      slotOffset[f] = -1;
      kinds[f] = kindOf(field.transform());
      switch (kinds[f]) {
        case NUMERIC -> {
          columns.add(path);
          columns.add(path + ".missing");
        }
        case BOOL -> {
          columns.add(path);
          columns.add(path + ".missing");
        }
        case TIME -> {
          Transform.Time time = (Transform.Time) field.transform();
          for (TimePart part : time.parts()) {
            columns.add(path + "." + part.word() + ".sin");
            columns.add(path + "." + part.word() + ".cos");
          }
          patterns[f] = time.pattern() == null ? null : Timestamps.compile(time.pattern());
          if (!time.keys().isEmpty()) {
            keyPrefixes[f] = new byte[time.keys().size()][];
            crossPrefixes[f] = new byte[time.keys().size()][][];
            for (int k = 0; k < time.keys().size(); k++) {
              Transform.TimeKey key = time.keys().get(k);
              keyPrefixes[f][k] = (key.part() + "=").getBytes(StandardCharsets.UTF_8);
              crossPrefixes[f][k] = new byte[key.crossed().size()][];
              for (int c = 0; c < key.crossed().size(); c++) {
                crossPrefixes[f][k][c] = ("*" + key.crossed().get(c) + "=").getBytes(StandardCharsets.UTF_8);
              }
            }
            slotOffset[f] = sparseWidth;
            sizes[f] = time.buckets();
            sparse.add(new FeatureLayout.SparseField(path, time.buckets()));
            sparseWidth += time.buckets();
          }
        }
        case ARRAY -> {
          Transform.Array array = (Transform.Array) field.transform();
          for (int i = 0; i < array.length(); i++) {
            columns.add(path + "[" + i + "]");
          }
        }
        case CATEGORY -> {
          Transform.Category category = (Transform.Category) field.transform();
          slotOffset[f] = sparseWidth;
          sizes[f] = category.slots();
          sparse.add(new FeatureLayout.SparseField(path, category.slots()));
          sparseWidth += category.slots();
        }
        case HASH -> {
          Transform.Hash hash = (Transform.Hash) field.transform();
          slotOffset[f] = sparseWidth;
          sizes[f] = hash.buckets();
          sparse.add(new FeatureLayout.SparseField(path, hash.buckets()));
          sparseWidth += hash.buckets();
        }
        case TOKENS -> {
          Transform.Tokens tokens = (Transform.Tokens) field.transform();
          slotOffset[f] = sparseWidth;
          sizes[f] = tokens.buckets();
          sparse.add(new FeatureLayout.SparseField(path, tokens.buckets()));
          sparseWidth += tokens.buckets();
        }
      }
    }
    this.layout = new FeatureLayout(columns.size(), sparse);
    this.denseColumns = Collections.unmodifiableList(columns);
  }

  int fields() {
    return paths.length;
  }

  String path(int field) {
    return paths[field];
  }

  Transform transform(int field) {
    return transforms[field];
  }

  /**
   * Reads and checks every field of {@code record}: per field a Double (NaN when to be imputed) for
   * numeric, a Boolean or null for bool, a String or null for category, hash and tokens, a double[]
   * of sin/cos columns (with keys: a TimeValue) or null for time, a float[] or null for array.
   *
   * @throws BadRecordException naming the first field at fault
   */
  Object[] read(InputRecord record) {
    Object[] parsed = new Object[paths.length];
    int[] civil = null;
    for (int f = 0; f < paths.length; f++) {
      String path = paths[f];
      Object value = record.value(path);
      if (value == null) {
        if (!optional[f]) {
          throw new BadRecordException(path, "missing required field");
        }
        if (kinds[f] == Kind.NUMERIC) {
          parsed[f] = Double.NaN;
        }
        continue;
      }
      switch (kinds[f]) {
        case NUMERIC -> parsed[f] = Values.numberOrNaN(value, path);
        case BOOL -> parsed[f] = Values.bool(value, path);
        case CATEGORY, HASH, TOKENS -> parsed[f] = Values.key(value, path);
        case TIME -> {
          if (civil == null) {
            civil = new int[6];
          }
          Transform.Time time = (Transform.Time) transforms[f];
          double[] columns = timeColumns(f, time, value, civil);
          parsed[f] = time.keys().isEmpty() ? columns : timeKeys(f, time, columns, civil, record);
        }
        case ARRAY -> parsed[f] = array(path, ((Transform.Array) transforms[f]).length(), value);
        default -> throw new IllegalStateException("unknown kind " + kinds[f]);
      }
    }
    return parsed;
  }

  private double[] timeColumns(int f, Transform.Time time, Object value, int[] civil) {
    String path = paths[f];
    if (value instanceof Number number) {
      if (!Timestamps.fromEpochMillis(number.doubleValue(), civil)) {
        throw new BadRecordException(path, "timestamp " + Values.numberKey(number) + " is out of range for epoch milliseconds");
      }
    } else if (value instanceof String text) {
      boolean parsed = patterns[f] != null ? patterns[f].parse(text, civil) : Timestamps.fromIso(text, civil);
      if (!parsed) {
        throw new BadRecordException(path, "unparsable timestamp \"" + text + "\", expected "
            + (time.pattern() != null ? "the pattern \"" + time.pattern() + "\"" : "ISO-8601") + " or epoch milliseconds");
      }
    } else {
      throw Values.wrongType(path, "a timestamp (string or epoch milliseconds)", value);
    }
    double[] columns = new double[time.parts().size() * 2];
    Timestamps.columns(time.parts(), civil, columns);
    return columns;
  }

  /**
   * A timestamp with keys, as {@link #read} gives it: the cyclic columns and each key's hash
   * ({@code hashes[k]}, written only when {@code present[k]}: the record has every crossed field).
   */
  private record TimeValue(double[] columns, int[] hashes, boolean[] present) {}

  /**
   * Each key's MurmurHash3 of its text's UTF-8 bytes ({@code date=2001-01-03*o=DTW}, see
   * {@link Transform.TimeKey}), written into a byte buffer rather than built as strings: seven keys
   * as strings cost Flights three quarters of its featurizing throughput.
   */
  private TimeValue timeKeys(int f, Transform.Time time, double[] columns, int[] civil, InputRecord record) {
    int n = time.keys().size();
    int[] hashes = new int[n];
    boolean[] present = new boolean[n];
    byte[] buffer = new byte[64];
    for (int k = 0; k < n; k++) {
      Transform.TimeKey spec = time.keys().get(k);
      byte[] prefix = keyPrefixes[f][k];
      System.arraycopy(prefix, 0, buffer, 0, prefix.length);
      int length = prefix.length;
      int year = civil[Timestamps.YEAR];
      int month = civil[Timestamps.MONTH];
      int day = civil[Timestamps.DAY];
      switch (spec.part()) {
        case "hour" -> length = digits(buffer, length, civil[Timestamps.HOUR], 1);
        case "weekday" -> length = digits(buffer, length, (int) Math.floorMod(Timestamps.epochDay(year, month, day) + 3, 7) + 1, 1);
        case "month" -> length = digits(buffer, length, month, 1);
        case "dayofyear" -> length = digits(buffer, length,
            (int) (Timestamps.epochDay(year, month, day) - Timestamps.epochDay(year, 1, 1) + 1), 1);
        default -> {
          if (year < 0) {
            buffer[length++] = '-';
          }
          length = digits(buffer, length, Math.abs(year), 1);
          buffer[length++] = '-';
          length = digits(buffer, length, month, 2);
          buffer[length++] = '-';
          length = digits(buffer, length, day, 2);
        }
      }
      boolean complete = true;
      for (int c = 0; c < spec.crossed().size(); c++) {
        String path = spec.crossed().get(c);
        Object value = record.value(path);
        if (value == null) {
          complete = false;
          break;
        }
        byte[] cross = crossPrefixes[f][k][c];
        byte[] text = Values.key(value, path).getBytes(StandardCharsets.UTF_8);
        if (buffer.length < length + cross.length + text.length) {
          buffer = Arrays.copyOf(buffer, 2 * (length + cross.length + text.length));
        }
        System.arraycopy(cross, 0, buffer, length, cross.length);
        length += cross.length;
        System.arraycopy(text, 0, buffer, length, text.length);
        length += text.length;
      }
      if (complete) {
        hashes[k] = Hashing.murmur3(buffer, 0, length, 0);
        present[k] = true;
      }
    }
    return new TimeValue(columns, hashes, present);
  }

  /** Writes the decimal digits of {@code value} (not negative), zero-padded to {@code width}, at {@code at}; returns the end. */
  private static int digits(byte[] buffer, int at, int value, int width) {
    int count = 1;
    for (int v = value / 10; v > 0; v /= 10) {
      count++;
    }
    count = Math.max(count, width);
    for (int i = at + count - 1, v = value; i >= at; i--, v /= 10) {
      buffer[i] = (byte) ('0' + v % 10);
    }
    return at + count;
  }

  private static float[] array(String path, int length, Object value) {
    if (!(value instanceof List<?> list)) {
      throw Values.wrongType(path, "an array of " + length + " numbers", value);
    }
    if (list.size() != length) {
      throw new BadRecordException(path, "expected an array of " + length + " numbers, found " + list.size());
    }
    float[] out = new float[length];
    for (int i = 0; i < length; i++) {
      Object element = list.get(i);
      if (!(element instanceof Number number)) {
        throw new BadRecordException(path, "element " + i + ": expected a number, found "
            + (element == null ? "null" : Values.describe(element)));
      }
      out[i] = number.floatValue();
      if (!Float.isFinite(out[i])) {
        throw new BadRecordException(path, "element " + i + ": expected a finite float, found " + Values.numberKey(number));
      }
    }
    return out;
  }

  /** Appends one row of {@code parsed} (from {@link #read}) to {@code out} with the statistics of {@code state}. */
  void write(Object[] parsed, PipelineState state, SparseRows out) {
    out.addRow();
    StringBuilder token = null;
    for (int f = 0; f < paths.length; f++) {
      Object value = parsed[f];
      switch (kinds[f]) {
        case NUMERIC -> {
          double x = (Double) value;
          if (Double.isNaN(x)) {
            out.setDense(denseStart[f] + 1, 1f);
          } else {
            out.setDense(denseStart[f], (float) state.standardize(f, x));
          }
        }
        case BOOL -> {
          if (value == null) {
            out.setDense(denseStart[f] + 1, 1f);
          } else if ((Boolean) value) {
            out.setDense(denseStart[f], 1f);
          }
        }
        case CATEGORY -> {
          if (value != null) {
            Integer slot = state.vocabulary(f).get((String) value);
            out.addSlot(slotOffset[f] + (slot == null ? sizes[f] - 1 : slot), 1f);
          }
        }
        case HASH -> {
          if (value != null) {
            int h = Hashing.murmur3((String) value);
            out.addSlot(slotOffset[f] + Hashing.bucket(h, sizes[f]), Hashing.sign(h));
          }
        }
        case TOKENS -> {
          if (value != null) {
            if (token == null) {
              token = new StringBuilder();
            }
            addTokens((String) value, slotOffset[f], sizes[f], token, out);
          }
        }
        case TIME -> {
          if (value instanceof TimeValue time) {
            writeColumns(time.columns(), denseStart[f], out);
            for (int k = 0; k < time.hashes().length; k++) {
              if (time.present()[k]) {
                int h = time.hashes()[k];
                out.addSlot(slotOffset[f] + Hashing.bucket(h, sizes[f]), Hashing.sign(h));
              }
            }
          } else if (value != null) {
            writeColumns((double[]) value, denseStart[f], out);
          }
        }
        case ARRAY -> {
          if (value != null) {
            float[] values = (float[]) value;
            for (int c = 0; c < values.length; c++) {
              out.setDense(denseStart[f] + c, values[c]);
            }
          }
        }
        default -> throw new IllegalStateException("unknown kind " + kinds[f]);
      }
    }
  }

  private static void writeColumns(double[] columns, int start, SparseRows out) {
    for (int c = 0; c < columns.length; c++) {
      out.setDense(start + c, (float) columns[c]);
    }
  }

  /** Words: maximal runs of letters or digits, lower-cased (root locale), each hashed to a signed slot. */
  static void addTokens(String text, int offset, int buckets, StringBuilder token, SparseRows out) {
    token.setLength(0);
    int i = 0;
    while (i <= text.length()) {
      int cp = i < text.length() ? text.codePointAt(i) : ' ';
      if (Character.isLetterOrDigit(cp)) {
        token.appendCodePoint(Character.toLowerCase(cp));
      } else if (token.length() > 0) {
        int h = Hashing.murmur3(token.toString());
        out.addSlot(offset + Hashing.bucket(h, buckets), Hashing.sign(h));
        token.setLength(0);
      }
      i += i < text.length() ? Character.charCount(cp) : 1;
    }
  }

  /** Updates {@code state} with a training row (from {@link #read}). */
  void learn(Object[] parsed, PipelineState state) {
    for (int f = 0; f < paths.length; f++) {
      switch (kinds[f]) {
        case NUMERIC -> state.observe(f, (Double) parsed[f]);
        case CATEGORY -> {
          if (parsed[f] != null) {
            state.admit(f, (String) parsed[f], sizes[f] - 1);
          }
        }
        default -> {
          // stateless transforms: nothing to fit
        }
      }
    }
  }
}
