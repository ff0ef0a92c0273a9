package io.streamlearn.features;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * Timestamps to civil fields (year, month, day, hour, minute, second). A pattern of fixed-width
 * numeric fields only ({@code yyyy MM dd HH mm ss} and literal punctuation, as most logs and the
 * Flights data use) is parsed by hand: {@link DateTimeFormatter} costs about a microsecond a value,
 * which alone would halve the featurizing rate. Any other pattern goes through the formatter.
 */
final class Timestamps {

  /** Indexes into the civil-fields array. */
  static final int YEAR = 0;
  static final int MONTH = 1;
  static final int DAY = 2;
  static final int HOUR = 3;
  static final int MINUTE = 4;
  static final int SECOND = 5;

  private Timestamps() {}

  /** A compiled pattern. Immutable and thread-safe. */
  static final class Pattern {
    private final String pattern;
    /** For the hand parser: per character of the input, a civil field index, or -1 for a literal; null when the formatter is used. */
    private final int[] fieldAt;
    private final DateTimeFormatter formatter;

    private Pattern(String pattern, int[] fieldAt, DateTimeFormatter formatter) {
      this.pattern = pattern;
      this.fieldAt = fieldAt;
      this.formatter = formatter;
    }

    /** Parses {@code text} into {@code civil} (6 ints); false when it does not match the pattern or is not a date. */
    boolean parse(String text, int[] civil) {
      if (fieldAt == null) {
        return parseWithFormatter(text, civil);
      }
      if (text.length() != fieldAt.length) {
        return false;
      }
      civil[YEAR] = 1970;
      civil[MONTH] = 1;
      civil[DAY] = 1;
      civil[HOUR] = 0;
      civil[MINUTE] = 0;
      civil[SECOND] = 0;
      int current = -1;
      int value = 0;
      for (int i = 0; i < fieldAt.length; i++) {
        char c = text.charAt(i);
        int field = fieldAt[i];
        if (field != current && current >= 0) {
          civil[current] = value;
          value = 0;
        }
        current = field;
        if (field < 0) {
          if (c != pattern.charAt(i)) {
            return false;
          }
        } else {
          if (c < '0' || c > '9') {
            return false;
          }
          value = value * 10 + (c - '0');
        }
      }
      if (current >= 0) {
        civil[current] = value;
      }
      return valid(civil);
    }

    private boolean parseWithFormatter(String text, int[] civil) {
      try {
        TemporalAccessor parsed = formatter.parse(text);
        civil[YEAR] = get(parsed, ChronoField.YEAR, 1970);
        civil[MONTH] = get(parsed, ChronoField.MONTH_OF_YEAR, 1);
        civil[DAY] = get(parsed, ChronoField.DAY_OF_MONTH, 1);
        civil[HOUR] = get(parsed, ChronoField.HOUR_OF_DAY, 0);
        civil[MINUTE] = get(parsed, ChronoField.MINUTE_OF_HOUR, 0);
        civil[SECOND] = get(parsed, ChronoField.SECOND_OF_MINUTE, 0);
        return valid(civil);
      } catch (DateTimeException e) {
        return false;
      }
    }

    private static int get(TemporalAccessor parsed, ChronoField field, int absent) {
      return parsed.isSupported(field) ? parsed.get(field) : absent;
    }
  }

  /**
   * Compiles a pattern.
   *
   * @throws IllegalArgumentException naming the pattern if {@link DateTimeFormatter} rejects it
   */
  static Pattern compile(String pattern) {
    int[] fieldAt = handParsed(pattern);
    if (fieldAt != null) {
      return new Pattern(pattern, fieldAt, null);
    }
    try {
      return new Pattern(pattern, null, DateTimeFormatter.ofPattern(pattern, Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad time pattern \"" + pattern + "\": " + e.getMessage());
    }
  }

  /** The per-character field map when only fixed-width numeric fields and non-letter literals appear, else null. */
  private static int[] handParsed(String pattern) {
    int[] fieldAt = new int[pattern.length()];
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      if (!Character.isLetter(c)) {
        if (c == '\'' || c == '[' || c == ']' || c == '{' || c == '}' || c == '#') {
          return null;
        }
        fieldAt[i++] = -1;
        continue;
      }
      int end = i;
      while (end < pattern.length() && pattern.charAt(end) == c) {
        end++;
      }
      String run = pattern.substring(i, end);
      int field;
      switch (run) {
        case "yyyy", "uuuu" -> field = YEAR;
        case "MM" -> field = MONTH;
        case "dd" -> field = DAY;
        case "HH" -> field = HOUR;
        case "mm" -> field = MINUTE;
        case "ss" -> field = SECOND;
        default -> {
          return null;
        }
      }
      for (int j = i; j < end; j++) {
        fieldAt[j] = field;
      }
      i = end;
    }
    return fieldAt;
  }

  /** Epoch milliseconds (UTC) into {@code civil}; false when out of the years -999,999,999 to 999,999,999. */
  static boolean fromEpochMillis(double millis, int[] civil) {
    if (!(Math.abs(millis) < 3.1e19)) { // NaN, infinite, or beyond what a long holds
      return false;
    }
    try {
      civil(LocalDateTime.ofEpochSecond(Math.floorDiv((long) millis, 1000L), 0, ZoneOffset.UTC), civil);
      return true;
    } catch (DateTimeException e) {
      return false;
    }
  }

  /** ISO-8601 (offset date-time, local date-time, or date) into {@code civil}; false when none parses. */
  static boolean fromIso(String text, int[] civil) {
    try {
      if (text.length() > 10) {
        if (text.endsWith("Z") || text.lastIndexOf('+') > 10 || text.lastIndexOf('-') > 10) {
          try {
            civil(OffsetDateTime.parse(text).toLocalDateTime(), civil);
            return true;
          } catch (DateTimeException e) {
            // not an offset date-time: try a local one below
          }
        }
        civil(LocalDateTime.parse(text), civil);
        return true;
      }
      LocalDate date = LocalDate.parse(text);
      civil(date.atStartOfDay(), civil);
      return true;
    } catch (DateTimeException e) {
      return false;
    }
  }

  private static void civil(LocalDateTime time, int[] civil) {
    civil[YEAR] = time.getYear();
    civil[MONTH] = time.getMonthValue();
    civil[DAY] = time.getDayOfMonth();
    civil[HOUR] = time.getHour();
    civil[MINUTE] = time.getMinute();
    civil[SECOND] = time.getSecond();
  }

  private static boolean valid(int[] civil) {
    return civil[MONTH] >= 1 && civil[MONTH] <= 12 && civil[DAY] >= 1
        && civil[DAY] <= monthLength(civil[YEAR], civil[MONTH]) && civil[HOUR] <= 23 && civil[MINUTE] <= 59
        && civil[SECOND] <= 59;
  }

  static boolean leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  }

  private static int monthLength(int year, int month) {
    return switch (month) {
      case 2 -> leap(year) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
  static long epochDay(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yearOfEra = y - era * 400;
    long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + dayOfEra - 719468;
  }

  /** sin, cos of each minute of the day (2 * 1440), each weekday, month, and day of a 365- and a 366-day year. */
  private static final double[] MINUTE_OF_DAY = table(1440, i -> (i / 60 + (i % 60) / 60.0 + 0 / 3600.0) / 24.0);
  private static final double[] WEEKDAY = table(7, i -> i / 7.0);
  private static final double[] MONTH_OF_YEAR = table(12, i -> i / 12.0);
  private static final double[] DAY_OF_YEAR = table(365, i -> i / 365.0);
  private static final double[] DAY_OF_LEAP_YEAR = table(366, i -> i / 366.0);

  private static double[] table(int n, java.util.function.IntToDoubleFunction phase) {
    double[] table = new double[2 * n];
    for (int i = 0; i < n; i++) {
      double angle = 2 * Math.PI * phase.applyAsDouble(i);
      table[2 * i] = Math.sin(angle);
      table[2 * i + 1] = Math.cos(angle);
    }
    return table;
  }

  /**
   * Writes sin and cos of each part's phase ({@link #phase}) into {@code out}, two per part. From
   * tables where the phase is one of a few values (sin and cos cost about 20 ns each, four of them
   * a third of featurizing a Flights record); the tables hold exactly what the formula gives.
   */
  static void columns(java.util.List<TimePart> parts, int[] civil, double[] out) {
    for (int p = 0; p < parts.size(); p++) {
      TimePart part = parts.get(p);
      double[] table;
      int index;
      switch (part) {
        case HOUR -> {
          table = civil[SECOND] == 0 ? MINUTE_OF_DAY : null;
          index = civil[HOUR] * 60 + civil[MINUTE];
        }
        case WEEKDAY -> {
          table = WEEKDAY;
          index = (int) Math.floorMod(epochDay(civil[YEAR], civil[MONTH], civil[DAY]) + 3, 7);
        }
        case MONTH -> {
          table = MONTH_OF_YEAR;
          index = civil[MONTH] - 1;
        }
        default -> {
          table = leap(civil[YEAR]) ? DAY_OF_LEAP_YEAR : DAY_OF_YEAR;
          index = (int) (epochDay(civil[YEAR], civil[MONTH], civil[DAY]) - epochDay(civil[YEAR], 1, 1));
        }
      }
      if (table != null) {
        out[2 * p] = table[2 * index];
        out[2 * p + 1] = table[2 * index + 1];
      } else {
        double angle = 2 * Math.PI * phase(part, civil);
        out[2 * p] = Math.sin(angle);
        out[2 * p + 1] = Math.cos(angle);
      }
    }
  }

  /**
   * The phase in [0, 1) of {@code part} for civil fields {@code civil}: hour (with minutes and
   * seconds) / 24, Monday-first weekday / 7, (month - 1) / 12, (day of year - 1) / year length.
   */
  static double phase(TimePart part, int[] civil) {
    return switch (part) {
      case HOUR -> (civil[HOUR] + civil[MINUTE] / 60.0 + civil[SECOND] / 3600.0) / 24.0;
      case WEEKDAY -> Math.floorMod(epochDay(civil[YEAR], civil[MONTH], civil[DAY]) + 3, 7) / 7.0;
      case MONTH -> (civil[MONTH] - 1) / 12.0;
      case DAYOFYEAR -> (epochDay(civil[YEAR], civil[MONTH], civil[DAY]) - epochDay(civil[YEAR], 1, 1))
          / (leap(civil[YEAR]) ? 366.0 : 365.0);
    };
  }
}
