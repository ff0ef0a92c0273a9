package io.streamlearn.features;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/** Coercions of {@link InputRecord} values, each failing with a {@link BadRecordException} naming the field. */
final class Values {

  private Values() {}

  /**
   * The string key of a scalar, for vocabularies and hashing: strings as they are, booleans as
   * {@code true}/{@code false}, integral numbers without a fraction ({@code 3}, also for 3.0), other
   * numbers as {@link Double#toString}. So a label 1 and a label 1.0 are one class.
   */
  static String key(Object value, String field) {
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof Boolean flag) {
      return flag ? "true" : "false";
    }
    if (value instanceof Number number) {
      return numberKey(number);
    }
    throw wrongType(field, "a string, number or boolean", value);
  }

  static String numberKey(Number number) {
    if (number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte
        || number instanceof BigInteger) {
      return number.toString();
    }
    if (number instanceof BigDecimal decimal) {
      try {
        return decimal.toBigIntegerExact().toString();
      } catch (ArithmeticException e) {
        return Double.toString(decimal.doubleValue());
      }
    }
    double d = number.doubleValue();
    if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  /**
   * A number for a numeric transform: NaN when it is to be imputed (a string that is not a number,
   * such as {@code NA} or an empty string, NaN itself, or an infinity); a boolean, list or object is
   * a wrong type.
   */
  static double numberOrNaN(Object value, String field) {
    double x;
    if (value instanceof Number number) {
      x = number.doubleValue();
    } else if (value instanceof String text) {
      x = parseOrNaN(text);
    } else {
      throw wrongType(field, "a number", value);
    }
    // an infinity ("1e999", "-Infinity", a huge integer) would reach the network as one: impute it
    return Double.isFinite(x) ? x : Double.NaN;
  }

  /** A number that must be one (a label, an array element): a numeric string is accepted. */
  static double number(Object value, String field) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value instanceof String text) {
      double parsed = parseOrNaN(text);
      if (!Double.isNaN(parsed)) {
        return parsed;
      }
    }
    throw wrongType(field, "a number", value);
  }

  private static double parseOrNaN(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty() || !(Character.isDigit(trimmed.charAt(0)) || trimmed.charAt(0) == '-'
        || trimmed.charAt(0) == '+' || trimmed.charAt(0) == '.')) {
      return Double.NaN; // "NA", "?", "null", "NaN", "": missing, not malformed
    }
    try {
      return Double.parseDouble(trimmed);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** A boolean: true/false, 1/0 as numbers or strings (any case). */
  static boolean bool(Object value, String field) {
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof Number number) {
      double d = number.doubleValue();
      if (d == 0 || d == 1) {
        return d == 1;
      }
    }
    if (value instanceof String text) {
      String t = text.strip();
      if (t.equalsIgnoreCase("true") || t.equals("1")) {
        return true;
      }
      if (t.equalsIgnoreCase("false") || t.equals("0")) {
        return false;
      }
    }
    throw wrongType(field, "a boolean (true/false or 1/0)", value);
  }

  static BadRecordException wrongType(String field, String expected, Object found) {
    return new BadRecordException(field, "expected " + expected + ", found " + describe(found));
  }

  /** A short description of a value for an error message. */
  static String describe(Object value) {
    if (value instanceof String text) {
      String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
      return "the string \"" + shown + "\"";
    }
    if (value instanceof List<?> list) {
      return "an array of " + list.size();
    }
    if (value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    return "an object";
  }
}
