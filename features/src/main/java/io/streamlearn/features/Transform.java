package io.streamlearn.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link FeatureSpec} does with one input field, in the spec's own words: each record here
 * is one transform of the spec syntax, and {@link #text()} writes it back as parsed.
 */
public sealed interface Transform {

  /** The transform as the spec syntax writes it, e.g. {@code category(500)}. */
  String text();

  /** Whether the transform writes sparse slots (a field of the layout) rather than dense columns. */
  default boolean sparse() {
    return false;
  }

  /**
   * Online standardization (Welford mean and population variance): two dense columns, the
   * standardized value (0 until two different values have been learned) and a missing indicator. Missing, null, NaN or a string that is not a number is imputed with the
   * running mean (0 after standardizing) and sets the indicator.
   */
  record Numeric() implements Transform {
    @Override
    public String text() {
      return "numeric";
    }
  }

  /**
   * A boolean: two dense columns, 1/0 and a missing indicator. Accepts JSON booleans, the numbers 0
   * and 1, and the strings {@code true}/{@code false}/{@code 1}/{@code 0} in any case.
   */
  record Bool() implements Transform {
    @Override
    public String text() {
      return "bool";
    }
  }

  /**
   * A category with an online vocabulary of {@code capacity} slots plus one "other" slot. A value
   * takes a free slot the first time a training row shows it and keeps it for good; once the slots
   * are taken, unseen values go to "other".
   *
   * <p>Why not evict rare values to make room for frequent ones: the first layer's weight rows are
   * tied to slots, and a version's vocabulary is frozen with its weights. Giving a slot to a new
   * value would hand it the weights learned for the evicted one, silently, in every later version;
   * a fixed assignment keeps each slot meaning one value forever, and "other" learns the tail.
   *
   * @param capacity named slots, 1 to 16,777,216
   */
  record Category(int capacity) implements Transform {
    /** Validates the capacity. */
    public Category {
      if (capacity < 1 || capacity > (1 << 24)) {
        throw new IllegalArgumentException("category capacity must be in 1..16777216, got " + capacity);
      }
    }

    /** Slots in the layout: the named ones plus "other". */
    public int slots() {
      return capacity + 1;
    }

    @Override
    public String text() {
      return "category(" + capacity + ")";
    }

    @Override
    public boolean sparse() {
      return true;
    }
  }

  /**
   * Signed feature hashing of a categorical value: bucket and sign from the MurmurHash3 (x86, 32-bit,
   * seed 0) of the value's UTF-8 bytes, value +1 or -1. See {@link Hashing}.
   *
   * @param buckets hash buckets, 1 to 16,777,216
   */
  record Hash(int buckets) implements Transform {
    /** Validates the bucket count. */
    public Hash {
      if (buckets < 1 || buckets > (1 << 24)) {
        throw new IllegalArgumentException("hash buckets must be in 1..16777216, got " + buckets);
      }
    }

    @Override
    public String text() {
      return "hash(" + buckets + ")";
    }

    @Override
    public boolean sparse() {
      return true;
    }
  }

  /**
   * A text field as a signed hashed bag of words: lower-cased, split on every character that is not
   * a letter or a digit; each word adds +1 or -1 at its bucket (a repeated word adds again).
   *
   * @param buckets hash buckets, 1 to 16,777,216
   */
  record Tokens(int buckets) implements Transform {
    /** Validates the bucket count. */
    public Tokens {
      if (buckets < 1 || buckets > (1 << 24)) {
        throw new IllegalArgumentException("tokens hash buckets must be in 1..16777216, got " + buckets);
      }
    }

    @Override
    public String text() {
      return "tokens(hash=" + buckets + ")";
    }

    @Override
    public boolean sparse() {
      return true;
    }
  }

  /**
   * Time parts of a timestamp: cyclic parts, each as two dense columns (sin, cos), and optionally
   * keys, each a time part as a category (the hour 0-23, the calendar date, ...) crossed with the
   * values of other fields, signed-hashed into one sparse field of {@code buckets} slots named by the
   * path. The value is a string
   * in {@code pattern} ({@link java.time.format.DateTimeFormatter} letters) when one is given, else
   * ISO-8601 (an instant with offset, or a local date-time or date); a number is always epoch
   * milliseconds (UTC). An ISO timestamp with an offset is read in that offset's local time (the hour
   * a person there saw, which is what a cyclic hour should describe). A missing optional timestamp
   * writes zeros and no slot.
   *
   * <p>Why keys: one sin/cos harmonic cannot follow delays building up through the day, and a key
   * such as {@code date*origin} (this airport today) learns online what the day is like there from
   * the rows already trained on: a one-hot of the hour or of today that a linear layer weighs freely.
   *
   * @param pattern the string format, or null for ISO-8601
   * @param parts the cyclic parts in column order, no repeats; at least one unless there are keys
   * @param keys the keys in spec order, no repeats; empty for none
   * @param buckets hash buckets of the keys, 1 to 16,777,216 with keys, 0 without
   */
  record Time(String pattern, List<TimePart> parts, List<TimeKey> keys, int buckets) implements Transform {
    /** Validates and copies. */
    public Time {
      Objects.requireNonNull(parts, "parts");
      Objects.requireNonNull(keys, "keys");
      parts = List.copyOf(parts);
      keys = List.copyOf(keys);
      if (parts.isEmpty() && keys.isEmpty()) {
        throw new IllegalArgumentException("time needs at least one part, e.g. hour");
      }
      if (parts.stream().distinct().count() != parts.size()) {
        throw new IllegalArgumentException("time parts must not repeat, got " + parts);
      }
      if (keys.stream().distinct().count() != keys.size()) {
        throw new IllegalArgumentException("time keys must not repeat, got " + keys);
      }
      if (keys.isEmpty() ? buckets != 0 : buckets < 1 || buckets > (1 << 24)) {
        throw new IllegalArgumentException(keys.isEmpty() ? "time hash=n needs keys=[...], got hash " + buckets
            : "time keys hash buckets must be in 1..16777216, got " + buckets);
      }
      if (pattern != null) {
        if (pattern.isEmpty()) {
          throw new IllegalArgumentException("time pattern must not be empty");
        }
        Timestamps.compile(pattern); // fails now, naming the pattern, rather than on the first record
      }
    }

    /** Cyclic parts only. */
    public Time(String pattern, List<TimePart> parts) {
      this(pattern, parts, List.of(), 0);
    }

    @Override
    public String text() {
      StringBuilder text = new StringBuilder("time(");
      String separator = "";
      if (pattern != null) {
        text.append('"').append(pattern.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        separator = ", ";
      }
      for (TimePart part : parts) {
        text.append(separator).append(part.word());
        separator = ", ";
      }
      if (!keys.isEmpty()) {
        text.append(separator).append("keys=[");
        for (int i = 0; i < keys.size(); i++) {
          text.append(i == 0 ? "" : ", ").append(keys.get(i).text());
        }
        text.append("], hash=").append(buckets);
      }
      return text.append(')').toString();
    }

    /** Whether the timestamp also writes keys into a sparse field. */
    @Override
    public boolean sparse() {
      return !keys.isEmpty();
    }

    /** Paths of other fields the keys are crossed with, in order of first mention, without repeats. */
    public List<String> crossedPaths() {
      List<String> paths = new ArrayList<>();
      for (TimeKey key : keys) {
        for (String path : key.crossed()) {
          if (!paths.contains(path)) {
            paths.add(path);
          }
        }
      }
      return List.copyOf(paths);
    }
  }

  /**
   * A key of a {@link Time} transform: a time part as a category, crossed with the values of other
   * fields ({@code date*origin}: the calendar date and the origin). The key of a record is the text
   * {@code part=value} and {@code *path=value} for each crossed field, e.g.
   * {@code date=2001-01-03*origin=DTW}; a record lacking a crossed field (absent or null) writes no
   * slot for that key.
   *
   * @param part {@code hour} (0-23), {@code weekday} (1 = Monday to 7), {@code month} (1-12),
   *             {@code dayofyear} (1-366) or {@code date} (ISO, {@code 2001-01-03})
   * @param crossed dotted paths of the fields crossed with it, possibly none, no repeats
   */
  record TimeKey(String part, List<String> crossed) {
    /** The part words a key accepts. */
    public static final List<String> PARTS = List.of("hour", "weekday", "month", "dayofyear", "date");

    /** Validates and copies. */
    public TimeKey {
      if (!PARTS.contains(part)) {
        throw new IllegalArgumentException("time key part must be one of " + PARTS + ", got " + part);
      }
      crossed = List.copyOf(Objects.requireNonNull(crossed, "crossed"));
      for (String path : crossed) {
        if (!FieldSpec.validPath(path)) {
          throw new IllegalArgumentException("crossed field path must be dot-separated names, got " + path);
        }
      }
      if (crossed.stream().distinct().count() != crossed.size()) {
        throw new IllegalArgumentException("a time key must not cross a field twice, got " + crossed);
      }
    }

    /** The key as the spec writes it, e.g. {@code date*origin}. */
    public String text() {
      return crossed.isEmpty() ? part : part + "*" + String.join("*", crossed);
    }
  }

  /**
   * A numeric array passed through as {@code length} dense columns, unscaled; another length is a
   * bad record, a missing optional array writes zeros.
   *
   * @param length the number of elements, 1 to 16,777,216
   */
  record Array(int length) implements Transform {
    /** Validates the length. */
    public Array {
      if (length < 1 || length > (1 << 24)) {
        throw new IllegalArgumentException("array length must be in 1..16777216, got " + length);
      }
    }

    @Override
    public String text() {
      return "array(" + length + ")";
    }
  }
}
