package io.streamlearn.features;

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
   * Cyclic time parts of a timestamp, each as two dense columns (sin, cos). The value is a string
   * in {@code pattern} ({@link java.time.format.DateTimeFormatter} letters) when one is given, else
   * ISO-8601 (an instant with offset, or a local date-time or date); a number is always epoch
   * milliseconds (UTC). An ISO timestamp with an offset is read in that offset's local time (the hour
   * a person there saw, which is what a cyclic hour should describe). A missing optional timestamp
   * writes zeros.
   *
   * @param pattern the string format, or null for ISO-8601
   * @param parts the parts in column order, at least one, no repeats
   */
  record Time(String pattern, List<TimePart> parts) implements Transform {
    /** Validates and copies. */
    public Time {
      Objects.requireNonNull(parts, "parts");
      parts = List.copyOf(parts);
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("time needs at least one part, e.g. hour");
      }
      if (parts.stream().distinct().count() != parts.size()) {
        throw new IllegalArgumentException("time parts must not repeat, got " + parts);
      }
      if (pattern != null) {
        if (pattern.isEmpty()) {
          throw new IllegalArgumentException("time pattern must not be empty");
        }
        Timestamps.compile(pattern); // fails now, naming the pattern, rather than on the first record
      }
    }

    @Override
    public String text() {
      StringBuilder text = new StringBuilder("time(");
      if (pattern != null) {
        text.append('"').append(pattern.replace("\\", "\\\\").replace("\"", "\\\"")).append("\", ");
      }
      for (int i = 0; i < parts.size(); i++) {
        text.append(i == 0 ? "" : ", ").append(parts.get(i).word());
      }
      return text.append(')').toString();
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
