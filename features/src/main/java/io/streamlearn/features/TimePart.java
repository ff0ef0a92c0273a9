package io.streamlearn.features;

import java.util.Locale;

/** A cyclic part of a timestamp, encoded as sin and cos of its phase so that 23:00 is next to 00:00. */
public enum TimePart {
  /** Hour of day with minutes and seconds as a fraction, period 24. */
  HOUR,
  /** Day of week, Monday first, period 7. */
  WEEKDAY,
  /** Month of year, period 12. */
  MONTH,
  /** Day of year, period 365 (366 in a leap year). */
  DAYOFYEAR;

  /** The word in the spec syntax, e.g. {@code hour}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The part named {@code word}, or null. */
  static TimePart of(String word) {
    for (TimePart part : values()) {
      if (part.word().equals(word)) {
        return part;
      }
    }
    return null;
  }
}
